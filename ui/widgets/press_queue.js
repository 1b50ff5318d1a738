// Presses queue (shared by the label pad and the token tagger). Every press carries the
// key of the item on screen. Presses are sent as one *state* value holding every press the
// page has not acknowledged yet: Streamlit coalesces reruns that arrive close together and
// keeps only the newest value, so a value holding only the latest press could lose one.
// The page lists the nonces it handled in data.acked; those leave the queue.
const pendingPresses = new Map();

function pressQueue(component, queueKey) {
  const { data, setStateValue } = component;
  const acked = new Set(data.acked || []);
  const pending = (pendingPresses.get(queueKey) || []).filter((p) => !acked.has(p.nonce));
  pendingPresses.set(queueKey, pending);
  return function send(action, label) {
    const nonce = Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
    const exampleId = action === "undo" ? null : data.example_id;
    pending.push({ nonce: nonce, action: action, example_id: exampleId, label: label ?? null });
    setStateValue("presses", pending.slice());
  };
}

function isTyping(event) {
  const target = event.target;
  if (!target || !target.closest) return false;
  return Boolean(target.closest("input, textarea, select, [contenteditable='true']"));
}
