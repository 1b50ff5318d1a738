// Token tagger: click / shift-click / drag selects a span of tokens, digit keys set an
// entity type (BIO kept consistent), 0 or Backspace clears to O, Enter submits the tags.
// Tokens are inserted with textContent only, never as HTML.
const drafts = new Map();

function entityOf(tag) {
  if (tag.length > 2 && tag[1] === "-" && (tag[0] === "B" || tag[0] === "I")) return tag.slice(2);
  return null;
}

function repairBio(tags) {
  let previous = null;
  return tags.map((tag) => {
    const entity = entityOf(tag);
    const fixed = tag.startsWith("I-") && entity !== previous ? "B-" + entity : tag;
    previous = entity;
    return fixed;
  });
}

export default function (component) {
  const { data, parentElement } = component;
  const send = pressQueue(component, data.queue_key);
  const root = parentElement.querySelector(".tagger");
  root.dataset.exampleId = String(data.example_id);
  const tokens = data.tokens;
  const labels = data.labels;
  const bio = data.bio;
  const draftKey = data.draft_key;
  let tags = drafts.has(draftKey) ? drafts.get(draftKey).slice() : data.tags.slice();
  // words whose tag the annotator has not set yet still show the model's guess (dashed)
  const guessed = data.suggested ? tags.map((tag, index) => tag === data.tags[index]) : tags.map(() => false);
  let anchor = 0;
  let focus = 0;
  let dragging = false;

  root.replaceChildren();
  root.setAttribute("dir", data.direction);
  const sentence = document.createElement("div");
  sentence.className = "sentence";
  const palette = document.createElement("div");
  palette.className = "palette";
  root.append(sentence, palette);

  const chips = tokens.map((token, index) => {
    const chip = document.createElement("span");
    chip.className = "token";
    chip.dataset.index = String(index);
    const word = document.createElement("span");
    word.className = "word";
    // explicit direction controls show as marks instead of reordering the sentence
    word.textContent = token.replace(/[\u202A-\u202E\u2066-\u2069]/g,
      (c) => "[U+" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + "]");
    const tag = document.createElement("span");
    tag.className = "tag";
    chip.append(word, tag);
    sentence.append(chip);
    return chip;
  });

  const span = () => [Math.min(anchor, focus), Math.max(anchor, focus) + 1];

  function render() {
    const [start, end] = span();
    chips.forEach((chip, index) => {
      const entity = bio ? entityOf(tags[index]) : tags[index];
      const inEntity = entity !== null && tags[index] !== "O";
      // an entity's first word carries its type; the words that continue it join it; O is
      // left blank (a bare "O" under every word read as a zero)
      const inside = inEntity && (bio ? tags[index].startsWith("I-") : index > 0 && tags[index - 1] === tags[index]);
      const next = index + 1 < tags.length ? tags[index + 1] : "O";
      const continued = inEntity && (bio ? next === "I-" + entity : next === tags[index]);
      chip.querySelector(".tag").textContent = inEntity && !inside ? entity : "\u00a0";
      chip.title = tags[index] === "O" ? "O: outside any entity" : tags[index];
      chip.dataset.tag = tags[index];
      chip.classList.toggle("selected", index >= start && index < end);
      chip.classList.toggle("guess", inEntity && guessed[index]);
      chip.classList.toggle("entity", inEntity);
      chip.classList.toggle("begin", inEntity && !inside);
      chip.classList.toggle("inside", inside);
      chip.classList.toggle("continued", continued);
      chip.dataset.label = entity === null ? "O" : entity;
      const colour = labels.indexOf(entity);
      chip.style.setProperty("--hue", String(colour < 0 ? 0 : (colour * 67) % 360));
    });
  }

  function apply(label) {
    const [start, end] = span();
    for (let index = start; index < end; index += 1) {
      guessed[index] = false;
      if (label === null) tags[index] = "O";
      else if (bio) tags[index] = (index === start ? "B-" : "I-") + label;
      else tags[index] = label;
    }
    if (bio) tags = repairBio(tags);
    drafts.set(draftKey, tags.slice()); // only what the annotator changed is kept as a draft
    render();
  }

  function submit() {
    drafts.delete(draftKey);
    send("label", tags.slice());
  }

  labels.forEach((label, index) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = (index < 9 ? index + 1 + " " : "") + label;
    button.style.setProperty("--hue", String((index * 67) % 360));
    button.addEventListener("click", () => apply(label));
    palette.append(button);
  });
  const clear = document.createElement("button");
  clear.type = "button";
  clear.className = "clear";
  clear.textContent = "0 clear (O)";
  clear.addEventListener("click", () => apply(null));
  const accept = document.createElement("button");
  accept.type = "button";
  accept.className = "accept";
  accept.textContent = "Accept ⏎";
  accept.addEventListener("click", submit);
  const skip = document.createElement("button");
  skip.type = "button";
  skip.className = "skip";
  skip.textContent = "Skip (S)";
  skip.addEventListener("click", () => send("skip"));
  const flag = document.createElement("button");
  flag.type = "button";
  flag.className = "flag";
  flag.textContent = "Flag (F)";
  flag.addEventListener("click", () => send("flag"));
  const undo = document.createElement("button");
  undo.type = "button";
  undo.className = "undo";
  undo.textContent = "Undo (U)";
  undo.addEventListener("click", () => send("undo"));
  palette.append(clear, skip, flag, undo, accept);

  sentence.addEventListener("mousedown", (event) => {
    const chip = event.target.closest(".token");
    if (!chip) return;
    const index = Number(chip.dataset.index);
    if (!event.shiftKey) anchor = index;
    focus = index;
    dragging = true;
    root.focus();
    render();
    event.preventDefault();
  });
  sentence.addEventListener("mouseover", (event) => {
    const chip = event.target.closest(".token");
    if (!dragging || !chip) return;
    focus = Number(chip.dataset.index);
    render();
  });
  const stopDrag = () => { dragging = false; };
  document.addEventListener("mouseup", stopDrag);

  root.addEventListener("keydown", (event) => {
    const key = event.key;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^[1-9]$/.test(key) && Number(key) <= labels.length) {
      apply(labels[Number(key) - 1]);
    } else if (key === "0" || key === "Backspace" || key === "Delete") {
      apply(null);
    } else if (key === "Enter") {
      submit();
    } else if (key === "s" || key === "S") {
      send("skip");
    } else if (key === "f" || key === "F") {
      send("flag");
    } else if (key === "u" || key === "U") {
      send("undo");
    } else if (key === "ArrowRight" || key === "ArrowLeft") {
      const step = (key === "ArrowRight") === (data.direction === "ltr") ? 1 : -1;
      focus = Math.min(Math.max(focus + step, 0), tokens.length - 1);
      if (!event.shiftKey) anchor = focus;
      render();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  });

  render();
  root.focus({ preventScroll: true });
  return () => document.removeEventListener("mouseup", stopDrag);
}
