// Presses queue (shared by the label pad and the token tagger). Every press carries the
// key of the item on screen. Presses are sent as one *state* value holding every press the
// page has not acknowledged yet: Streamlit coalesces reruns that arrive close together and
// keeps only the newest value, so a value holding only the latest press could lose one.
// The page lists the nonces it handled in data.acked; those leave the queue.
// Each item press also carries active_ms: the time from the item's display to the press,
// counting each gap between the annotator's moves (keys, clicks, pointer, scroll) up to
// data.idle_ms, so a tab left open over a break does not count the break.
const pendingPresses = new Map();
const activity = { item: null, last: 0, activeMs: 0 };
let listening = false;

function noteActivity() {
  const now = Date.now();
  if (activity.item === null) return;
  activity.activeMs += Math.min(now - activity.last, activity.idleMs);
  activity.last = now;
}

function watchItem(exampleId, idleMs) {
  if (!listening) {
    for (const type of ["keydown", "pointerdown", "pointermove", "wheel", "input"]) {
      document.addEventListener(type, noteActivity, { capture: true, passive: true });
    }
    listening = true;
  }
  activity.idleMs = idleMs || 120000;
  if (activity.item !== exampleId) {
    activity.item = exampleId;
    activity.last = Date.now();
    activity.activeMs = 0;
  }
}

function pressQueue(component, queueKey) {
  const { data, setStateValue } = component;
  const acked = new Set(data.acked || []);
  const pending = (pendingPresses.get(queueKey) || []).filter((p) => !acked.has(p.nonce));
  pendingPresses.set(queueKey, pending);
  if (data.example_id !== null && data.example_id !== undefined) watchItem(data.example_id, data.idle_ms);
  return function send(action, label) {
    const nonce = Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
    const exampleId = action === "undo" ? null : data.example_id;
    const press = { nonce: nonce, action: action, example_id: exampleId, label: label ?? null };
    if (exampleId !== null && activity.item === exampleId) {
      noteActivity();
      press.active_ms = activity.activeMs;
      activity.item = null; // the next item displayed starts its own clock
    }
    pending.push(press);
    setStateValue("presses", pending.slice());
  };
}

function isTyping(event) {
  const target = event.target;
  if (!target || !target.closest) return false;
  return Boolean(target.closest("input, textarea, select, [contenteditable='true']"));
}
