// Label pad: one button per class (digit keys), accept the model's suggestion (Enter), the
// QA answer field, skip (S), flag (F), undo (U). Texts are inserted with textContent only.
const padListeners = new Map();

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector(".label-pad");
  const send = pressQueue(component, data.queue_key);
  const hasItem = data.example_id !== null && data.example_id !== undefined;
  root.replaceChildren();
  root.dataset.exampleId = hasItem ? String(data.example_id) : "";

  function button(text, className, onPress, title) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = text;
    if (title) element.title = title;
    element.addEventListener("click", onPress);
    return element;
  }

  // the item's texts, shown here so that they and the key of every press change together;
  // explicit direction controls show as marks instead of reordering the sentence
  (hasItem ? data.texts || [] : []).forEach((item) => {
    if (item.caption) {
      const caption = document.createElement("div");
      caption.className = "caption";
      caption.textContent = item.caption;
      root.append(caption);
    }
    const text = document.createElement("div");
    text.className = "demux-text";
    text.setAttribute("dir", item.dir || "auto");
    text.textContent = item.text.replace(/[\u202A-\u202E\u2066-\u2069]/g,
      (c) => "[U+" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + "]");
    root.append(text);
  });

  const classes = data.classes || [];
  if (hasItem && classes.length) {
    const grid = document.createElement("div");
    grid.className = "classes";
    classes.forEach((label, index) => {
      const digit = index < 9 ? index + 1 + " " : "";
      const suggested = label === data.suggestion;
      const element = button(digit + label + (suggested ? " (model)" : ""),
        "class" + (suggested ? " suggested" : ""), () => send("label", label));
      element.dataset.label = label;
      grid.append(element);
    });
    root.append(grid);
  }
  let answer = null;
  if (hasItem && data.qa) {
    const row = document.createElement("div");
    row.className = "qa";
    answer = document.createElement("input");
    answer.type = "text";
    answer.className = "answer";
    answer.value = data.qa.answer || "";
    answer.setAttribute("aria-label", "Answer (copy the span from the context)");
    answer.placeholder = "Answer (copy the span from the context)";
    answer.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        send("label", answer.value);
        event.preventDefault();
      }
    });
    row.append(answer, button("Save answer ⏎", "save-answer", () => send("label", answer.value)),
      button("No answer", "no-answer", () => send("label", null)));
    root.append(row);
  }
  const actions = document.createElement("div");
  actions.className = "actions";
  if (hasItem && data.suggestion !== null && data.suggestion !== undefined && !data.qa) {
    actions.append(button("Accept model suggestion ⏎", "accept", () => send("label", data.suggestion)));
  }
  if (hasItem) {
    actions.append(button("Skip (S)", "skip", () => send("skip")),
      button("Flag (F)", "flag", () => send("flag")));
  }
  actions.append(button("Undo (U)", "undo", () => send("undo"), "undo your newest annotation"));
  root.append(actions);

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event)) return;
    const key = event.key;
    if (hasItem && /^[1-9]$/.test(key) && Number(key) <= classes.length) {
      send("label", classes[Number(key) - 1]);
    } else if (hasItem && key === "Enter" && data.suggestion != null && !data.qa) {
      send("label", data.suggestion);
    } else if (hasItem && (key === "s" || key === "S")) {
      send("skip");
    } else if (hasItem && (key === "f" || key === "F")) {
      send("flag");
    } else if (key === "u" || key === "U") {
      send("undo");
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }
  // only the newest pad takes keys; it says so, for people (styling) and tests alike
  const previous = padListeners.get(data.queue_key);
  if (previous) {
    document.removeEventListener("keydown", previous.onKey);
    delete previous.root.dataset.active;
  }
  padListeners.set(data.queue_key, { onKey: onKey, root: root });
  root.dataset.active = "true";
  document.addEventListener("keydown", onKey);
  return () => {
    document.removeEventListener("keydown", onKey);
    delete root.dataset.active;
    if (padListeners.get(data.queue_key)?.onKey === onKey) padListeners.delete(data.queue_key);
  };
}
