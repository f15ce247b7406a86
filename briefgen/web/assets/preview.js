// The preview's pages follow the server's events: a variant page updates its frames, or shows
// why the last save did not build; the index reloads when any variant changed.
"use strict";

function text(id, value) {
  document.getElementById(id).textContent = String(value);
}

function list(id, items) {
  const ul = document.getElementById(id);
  ul.replaceChildren(...items.map((item) => {
    const li = document.createElement("li");
    const code = document.createElement("code");
    code.textContent = item;
    li.append(code);
    return li;
  }));
}

function link(id, url) {
  const a = document.getElementById(id);
  a.hidden = !url;
  a.href = url || "#";
}

function frame(id, url) {
  const target = url || "about:blank";
  const element = document.getElementById(id);
  if (element.getAttribute("src") !== target) element.setAttribute("src", target);
}

function showVariant(view) {
  const status = document.getElementById("status");
  status.textContent = view.status;
  status.className = "status status-" + view.status.replace(/ /g, "-");
  document.getElementById("busy").hidden = !view.busy;
  document.getElementById("counts").hidden = view.pages === 0;  // not built yet
  text("pages", view.pages + (view.pages === 1 ? " page" : " pages"));
  text("edition", view.edition);
  document.getElementById("warnings").hidden = view.warnings.length === 0;
  text("warning-count", view.warnings.length);
  list("warning-list", view.warnings);
  const failed = view.errors.length > 0;
  document.getElementById("problems").hidden = !failed;
  document.getElementById("panes").hidden = failed;
  list("problem-list", view.errors);
  document.getElementById("last-good").hidden = !view.pdf;
  link("last-good-link", view.pdf);
  link("pdf-link", view.pdf);
  link("html-link", view.html);
  if (!failed) {  // new URLs (?v=N) only when the preview saw a new build: the frames reload
    frame("pdf-frame", view.pdf);
    frame("html-frame", view.html);
  }
}

function follow(url, onState) {
  const live = document.getElementById("live");
  const source = new EventSource(url);
  source.addEventListener("state", (event) => {
    live.classList.remove("lost");
    live.textContent = "live";
    onState(JSON.parse(event.data));
  });
  source.addEventListener("error", () => {  // it reconnects by itself (retry: 1000)
    live.classList.add("lost");
    live.textContent = "reconnecting";
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const variant = document.getElementById("variant");
  if (variant) {
    follow("/events/" + encodeURIComponent(variant.dataset.variant), (view) => {
      if (view.gone) {
        text("status", "no longer defined");
        return;
      }
      showVariant(view);
    });
  }
  const index = document.getElementById("index");
  if (index) {
    follow("/events", (state) => {
      if (String(state.generation) !== index.dataset.generation) window.location.reload();
    });
  }
});
