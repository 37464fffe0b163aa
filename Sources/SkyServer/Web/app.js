// SkyCorpus's page: search, browse, image detail with overlays, duplicate groups, change pairs. Plain JS over the
// JSON API of `skycorpus serve`; no external files.
"use strict";

const $ = (id) => document.getElementById(id);
const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
};

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error + (body.hint ? " (" + body.hint + ")" : ""));
  return body;
}

const state = { health: null, browseOffset: 0, upload: null };
const thumb = (id) => `/api/images/${id}/thumbnail?size=256`;

function card(image, score, onclick) {
  return el("div", { class: "result", "data-id": image.id, onclick },
    el("img", { src: thumb(image.id), loading: "lazy", alt: image.path }),
    el("div", { class: "meta" },
      score === undefined ? "" : el("span", { class: "score" }, score.toFixed(3) + " "),
      el("span", { class: "tag" }, image.dataset), image.split ? el("span", { class: "tag" }, image.split) : "",
      el("div", { class: "caption" }, image.caption || image.path)));
}

// ---- health, filters -------------------------------------------------------------------------------------------

async function loadHealth() {
  const health = await api("/api/health");
  state.health = health;
  $("health").textContent = `${health.images} images · ${health.datasets} datasets · ` +
    (health.search.available ? `search: ${health.search.model} (${health.search.index}, ${health.search.images} vectors)` : "search off");
  if (!health.search.available) {
    $("banner").hidden = false;
    $("banner").textContent = `Search is unavailable: ${health.search.reason}. To search, ${health.search.hint}. ` +
      "Browsing, overlays, duplicates and change pairs work without it.";
    $("search-button").disabled = true;
  }
  const stats = await api("/api/stats");
  for (const select of [$("f-dataset"), $("b-dataset")])
    for (const dataset of stats.datasets) select.append(el("option", { value: dataset.name }, dataset.name));
  for (const select of [$("f-class"), $("b-class")])
    for (const name of Object.keys(stats.classes).sort()) select.append(el("option", { value: name }, name));
}

function filterParams() {
  const params = { k: Number($("k").value) || 10 };
  if ($("f-dataset").value) params.dataset = $("f-dataset").value;
  if ($("f-split").value) params.split = $("f-split").value;
  if ($("f-class").value) params.class = $("f-class").value;
  if ($("f-source").value) params.source = $("f-source").value;
  if ($("f-duplicates").checked) params.include_duplicates = true;
  return params;
}

// ---- search ----------------------------------------------------------------------------------------------------

function showResults(answer, label) {
  $("search-status").textContent = `${answer.results.length} results for ${label} in ${answer.took_ms.toFixed(1)} ms ` +
    `(${answer.model}, ${answer.index})`;
  const grid = $("results");
  grid.replaceChildren(...answer.results.map((hit) =>
    card(hit.image || { id: hit.image_id, dataset: "", path: hit.path }, hit.score, () => openImage(hit.image_id))));
}

async function runSearch(event) {
  if (event) event.preventDefault();
  const params = filterParams();
  try {
    if (state.upload) {
      const query = new URLSearchParams(params).toString();
      const answer = await api(`/api/search/image?${query}`, { method: "POST", body: state.upload,
        headers: { "Content-Type": state.upload.type || "application/octet-stream" } });
      showResults(answer, `image ${state.upload.name}`);
      state.upload = null;
      $("upload").value = "";
      return;
    }
    const text = $("query").value.trim();
    if (!text) return;
    const answer = await api("/api/search/text", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...params, text }) });
    showResults(answer, `“${text}”`);
  } catch (error) {
    $("search-status").textContent = error.message;
    $("results").replaceChildren();
  }
}

async function moreLike(id) {
  location.hash = "#/search";
  try {
    const answer = await api("/api/search/image", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...filterParams(), image_id: id }) });
    showResults(answer, `image ${id}`);
  } catch (error) { $("search-status").textContent = error.message; }
}

// ---- image detail ----------------------------------------------------------------------------------------------

function openImage(id) { location.hash = `#/image/${id}`; }

function overlayURL(id) {
  const layers = [...document.querySelectorAll(".layer-toggle:checked")].map((box) => box.value);
  const classes = [...document.querySelectorAll(".overlay-toggle:checked")].map((box) => box.value);
  return `/api/images/${id}/render?layers=${encodeURIComponent(layers.join(","))}&classes=${encodeURIComponent(classes.join(","))}`;
}

async function showImage(id) {
  const record = await api(`/api/images/${id}`);
  const image = record.image;
  const controls = $("overlay-controls");
  controls.replaceChildren();
  const refresh = () => { $("overlay-image").src = overlayURL(id); };
  for (const layer of ["boxes", "polygons", "mask"]) {
    controls.append(el("label", {}, el("input", { type: "checkbox", class: "layer-toggle", value: layer, checked: "",
      onchange: refresh }), " " + layer));
  }
  const classes = Object.keys(record.class_colours).sort();
  for (const name of classes) {
    controls.append(el("label", {}, el("input", { type: "checkbox", class: "overlay-toggle", value: name, checked: "",
      onchange: refresh }), " ", el("span", { class: "swatch", style: `background:${record.class_colours[name]}` }), name));
  }
  refresh();
  const counts = {};
  for (const object of record.objects) counts[object.class_name] = (counts[object.class_name] || 0) + 1;
  const section = (title, items) => items.length ? [el("h3", {}, title), el("ul", {}, ...items)] : [];
  const group = record.duplicate_group;
  $("record").replaceChildren(
    el("h2", {}, image.path),
    el("div", {}, el("span", { class: "tag" }, image.dataset), image.split ? el("span", { class: "tag" }, image.split) : "",
      `${image.width}×${image.height} · id ${image.id}` + (record.phash ? ` · p-Hash ${record.phash}` : "")),
    el("p", {}, el("button", { id: "more-like-this", onclick: () => moreLike(id),
      ...(state.health && state.health.search.available ? {} : { disabled: "" }) }, "More like this"),
      " ", el("a", { href: `/api/images/${id}/file`, target: "_blank" }, "original file")),
    ...section(`Objects (${record.objects.length})`,
      Object.entries(counts).map(([name, count]) => el("li", {}, `${name}: ${count}`))),
    ...section(`Captions (${record.captions.length})`, record.captions.map((caption) =>
      el("li", { class: "caption-item" }, el("span", { class: "tag" }, caption.source + (caption.rule ? ":" + caption.rule : "")),
        caption.text))),
    ...section(`Prompts (${record.prompts.length})`, record.prompts.slice(0, 20).map((prompt) =>
      el("li", {}, el("span", { class: "tag" }, prompt.template_set), prompt.text))),
    ...section("Duplicate group", group ? [el("li", {}, `kept: image ${group.kept.id} (${group.kept.path})`),
      ...group.duplicates.map((member) => el("li", {}, `duplicate: image ${member.image.id} (${member.image.path})` +
        (member.hamming === null || member.hamming === undefined ? "" : `, ${member.hamming} bits`)))] : []),
    ...section("Change pairs", record.change_pairs.map((pair) => el("li", {}, el("a", { href: "#/changes" }, `pair ${pair}`)))),
  );
}

// ---- browse, duplicates, changes -------------------------------------------------------------------------------

async function browse() {
  const params = new URLSearchParams({ offset: state.browseOffset, limit: 48 });
  if ($("b-dataset").value) params.set("dataset", $("b-dataset").value);
  if ($("b-split").value) params.set("split", $("b-split").value);
  if ($("b-class").value) params.set("class", $("b-class").value);
  try {
    const page = await api(`/api/images?${params}`);
    $("b-page").textContent = `${page.total ? page.offset + 1 : 0}–${page.offset + page.items.length} of ${page.total}`;
    $("browse-grid").replaceChildren(...page.items.map((image) => card(image, undefined, () => openImage(image.id))));
    $("b-prev").disabled = page.offset === 0;
    $("b-next").disabled = page.offset + page.items.length >= page.total;
  } catch (error) { $("b-page").textContent = error.message; }
}

function figure(image, label) {
  return el("figure", {}, el("img", { src: thumb(image.id), alt: image.path, onclick: () => openImage(image.id) }),
    el("figcaption", {}, label));
}

async function duplicates() {
  const page = await api("/api/duplicates?limit=100");
  $("dup-status").textContent = page.total ? `${page.total} duplicate groups (kept image first, Hamming distance of each p-Hash)`
    : "No duplicate groups: run 'skycorpus dedup' to find near-duplicates.";
  $("duplicates").replaceChildren(...page.items.map((group) => el("div", { class: "group dup-group" },
    figure(group.kept, `kept · ${group.kept.dataset} ${group.kept.split || ""} · ${group.kept.path}`),
    ...group.duplicates.map((member) => figure(member.image,
      `${member.hamming === null || member.hamming === undefined ? "?" : member.hamming} bits · ${member.image.dataset} ` +
      `${member.image.split || ""} · ${member.image.path}`)))));
}

async function changes() {
  const page = await api("/api/changes?limit=100");
  $("change-status").textContent = page.total ? `${page.total} change pairs` : "No change pairs in this corpus.";
  $("changes").replaceChildren(...page.items.map((pair) => el("div", { class: "pair change-pair" },
    figure(pair.before, "before · " + pair.before.path), figure(pair.after, "after · " + pair.after.path),
    pair.has_mask ? el("figure", {}, el("img", { src: `/api/changes/${pair.id}/mask`, alt: "change mask" }),
      el("figcaption", {}, "change mask")) : "",
    el("div", { class: "sentences" }, el("b", {}, "Change sentences"),
      el("ul", {}, ...pair.sentences.map((sentence) => el("li", {}, sentence)))))));
}

// ---- routing ---------------------------------------------------------------------------------------------------

async function route() {
  const [, view, argument] = (location.hash || "#/search").split("/");
  const name = ["search", "browse", "duplicates", "changes", "image"].includes(view) ? view : "search";
  for (const section of document.querySelectorAll(".view")) section.hidden = section.id !== `view-${name}`;
  for (const link of document.querySelectorAll("nav a")) link.classList.toggle("active", link.id === `nav-${name}`);
  try {
    if (name === "browse") await browse();
    if (name === "duplicates") await duplicates();
    if (name === "changes") await changes();
    if (name === "image") await showImage(Number(argument));
  } catch (error) {
    $("banner").hidden = false;
    $("banner").textContent = error.message;
  }
}

function setUpDrop() {
  const drop = $("drop");
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    if (event.dataTransfer.files.length) { state.upload = event.dataTransfer.files[0]; runSearch(); }
  });
  $("upload").addEventListener("change", () => { if ($("upload").files.length) { state.upload = $("upload").files[0]; runSearch(); } });
}

$("search-form").addEventListener("submit", runSearch);
$("b-go").addEventListener("click", () => { state.browseOffset = 0; browse(); });
$("b-prev").addEventListener("click", () => { state.browseOffset = Math.max(0, state.browseOffset - 48); browse(); });
$("b-next").addEventListener("click", () => { state.browseOffset += 48; browse(); });
window.addEventListener("hashchange", route);
setUpDrop();
loadHealth().then(route, (error) => { $("banner").hidden = false; $("banner").textContent = error.message; });
