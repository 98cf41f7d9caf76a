// fusebrief's page: compose a bundle, watch the brief's stages arrive over Server-Sent Events,
// read the brief with clickable citations. Plain JavaScript, no build step, no CDN.
//
// Article text is hostile input: everything from an article or a brief is put on the page with
// textContent, never as markup, and only http(s) URLs become links.
"use strict";

(function () {
  const KEY_STORAGE = "fusebrief.apiKey";
  const CONTEXT_CHARS = 240; // of the source's text shown around a passage

  const $ = (id) => document.getElementById(id);
  const state = {
    brief: null, // the last brief's JSON, as the API answered it
    controller: null, // aborts the running brief (the server then cancels it)
    articleCount: 0,
    openMarker: null, // the citation marker whose source is shown
    openedByHover: false,
  };

  // ----------------------------------------------------------------- small helpers

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** `url` if a link may point to it (http or https with a host, no spaces or quotes). */
  function webUrl(url) {
    if (!url || /[\s<>"'`\\]/.test(url)) return null;
    try {
      const parsed = new URL(url);
      return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname
        ? url
        : null;
    } catch (error) {
      return null;
    }
  }

  function link(label, url) {
    const target = webUrl(url);
    if (!target) return document.createTextNode(label);
    return el("a", { href: target, rel: "noopener noreferrer nofollow", target: "_blank", text: label });
  }

  function apiKey() {
    return sessionStorage.getItem(KEY_STORAGE) || "";
  }

  function headers(extra) {
    const all = Object.assign({ "Content-Type": "application/json" }, extra || {});
    const key = apiKey();
    if (key) all.Authorization = "Bearer " + key;
    return all;
  }

  function askForKey(message) {
    $("key-box").hidden = false;
    if (message) $("form-problem").textContent = message;
    $("api-key").focus();
  }

  async function errorMessage(response) {
    try {
      const body = await response.json();
      if (body && body.error) return { code: body.error.code, message: body.error.message };
    } catch (error) {
      /* not JSON */
    }
    return { code: "http_" + response.status, message: "the server answered HTTP " + response.status };
  }

  // ----------------------------------------------------------------- articles

  function addArticle(fields) {
    state.articleCount += 1;
    const n = state.articleCount;
    const item = $("article-template").content.firstElementChild.cloneNode(true);
    item.querySelector(".article-legend").textContent = "Article " + ($("articles").children.length + 1);
    for (const name of ["title", "source", "url", "date", "text"]) {
      const input = item.querySelector(".f-" + name);
      const id = "article-" + n + "-" + name;
      input.id = id;
      item.querySelector(".l-" + name).setAttribute("for", id);
    }
    const values = fields || {};
    item.querySelector(".f-title").value = values.title || "";
    item.querySelector(".f-source").value = values.source || "";
    item.querySelector(".f-url").value = values.url || "";
    item.querySelector(".f-date").value = values.published_at || "";
    item.querySelector(".f-text").value = values.text || "";
    for (const note of values.notes || []) {
      item.querySelector(".article-notes").append(el("li", { text: note }));
    }
    item.querySelector(".remove").addEventListener("click", () => {
      item.remove();
      renumber();
      const first = document.querySelector("#articles .f-title");
      (first || $("add-article")).focus();
    });
    $("articles").append(item);
    return item;
  }

  function renumber() {
    [...$("articles").children].forEach((item, index) => {
      item.querySelector(".article-legend").textContent = "Article " + (index + 1);
    });
  }

  function isEmpty(item) {
    return ["title", "source", "url", "date", "text"].every(
      (name) => !item.querySelector(".f-" + name).value.trim()
    );
  }

  /** Fill the first empty article card, or add one. */
  function putArticle(fields) {
    const empty = [...$("articles").children].find(isEmpty);
    if (!empty) return addArticle(fields);
    const item = addArticle(fields);
    empty.replaceWith(item);
    renumber();
    return item;
  }

  function collectArticles() {
    const articles = [];
    const problems = [];
    [...$("articles").children].forEach((item, index) => {
      if (isEmpty(item)) return;
      const value = (name) => item.querySelector(".f-" + name).value.trim();
      const article = { title: value("title"), source: value("source"), text: value("text") };
      if (value("url")) article.url = value("url");
      if (value("date")) article.published_at = value("date");
      for (const [name, label] of [["title", "a headline"], ["source", "an outlet"], ["text", "its text"]]) {
        if (!article[name]) problems.push("Article " + (index + 1) + " needs " + label + ".");
      }
      articles.push(article);
    });
    if (!articles.length) problems.push("Add at least one article: paste it, fetch its link or drop its file.");
    return { articles, problems };
  }

  // ----------------------------------------------------------------- files

  function baseName(name) {
    return name.replace(/\.[^.]+$/, "");
  }

  function textFields(raw, name) {
    const lines = raw.trim().split(/\r?\n/);
    const first = (lines[0] || "").replace(/^#+\s*/, "").trim();
    const words = first.split(/\s+/).filter(Boolean);
    if (words.length && words.length <= 20 && !first.endsWith(".")) {
      return { title: first, source: name, text: lines.slice(1).join("\n").trim() };
    }
    return { title: words.slice(0, 12).join(" ") || name, source: name, text: raw.trim() };
  }

  function htmlFields(raw, name) {
    // DOMParser makes an inert document: no script runs, nothing loads.
    const page = new DOMParser().parseFromString(raw, "text/html");
    const meta = (key) => {
      const node = page.querySelector('meta[property="' + key + '"], meta[name="' + key + '"]');
      return node ? (node.getAttribute("content") || "").trim() : "";
    };
    const canonical = page.querySelector('link[rel="canonical"]');
    return {
      title: meta("og:title") || (page.title || "").trim() || name,
      source: meta("og:site_name") || name,
      url: meta("og:url") || (canonical ? canonical.getAttribute("href") : "") || "",
      published_at: meta("article:published_time"),
      text: raw,
      notes: ["HTML: the server removes the page's navigation and boilerplate."],
    };
  }

  function jsonArticles(raw, name) {
    let data = JSON.parse(raw);
    if (data && !Array.isArray(data) && Array.isArray(data.articles)) data = data.articles;
    const items = Array.isArray(data) ? data : [data];
    return items.map((item) => {
      if (!item || typeof item !== "object") throw new Error(name + ": not an article object");
      return {
        title: String(item.title || ""),
        source: String(item.source || ""),
        text: String(item.text || ""),
        url: item.url ? String(item.url) : "",
        published_at: item.published_at ? String(item.published_at) : "",
      };
    });
  }

  async function readFiles(files) {
    const problems = $("link-problems");
    problems.replaceChildren();
    let added = 0;
    for (const file of files) {
      try {
        const raw = await file.text();
        const name = baseName(file.name);
        const lower = file.name.toLowerCase();
        let found;
        if (lower.endsWith(".json")) found = jsonArticles(raw, file.name);
        else if (lower.endsWith(".html") || lower.endsWith(".htm")) found = [htmlFields(raw, name)];
        else found = [textFields(raw, name)];
        found.forEach(putArticle);
        added += found.length;
      } catch (error) {
        problems.append(el("li", { text: file.name + ": " + error.message }));
      }
    }
    $("status").textContent = added ? added + " article(s) added from files." : "";
  }

  // ----------------------------------------------------------------- links

  async function fetchLinks() {
    const urls = $("links").value.split(/\s+/).map((u) => u.trim()).filter(Boolean);
    const problems = $("link-problems");
    problems.replaceChildren();
    if (!urls.length) {
      problems.append(el("li", { text: "Paste one or more links first." }));
      return;
    }
    const button = $("fetch-links");
    button.disabled = true;
    const left = [];
    for (const url of urls) {
      try {
        const response = await fetch("/v1/articles/fetch", {
          method: "POST",
          headers: headers(),
          body: JSON.stringify({ url }),
        });
        if (response.status === 401) {
          askForKey("Enter the API key, then fetch the links again.");
          left.push(url);
          continue;
        }
        if (!response.ok) {
          const error = await errorMessage(response);
          problems.append(el("li", { text: error.message }));
          left.push(url);
          continue;
        }
        const article = await response.json();
        article.notes = ["Fetched from " + url + "."].concat(article.warnings || []);
        putArticle(article);
      } catch (error) {
        problems.append(el("li", { text: url + ": " + error.message }));
        left.push(url);
      }
    }
    $("links").value = left.join("\n");
    button.disabled = false;
  }

  // ----------------------------------------------------------------- the live brief

  /** Server-Sent Events from a fetch() body (EventSource cannot POST): the WHATWG parsing
   * rules, one event per blank line, comments (keep-alives) skipped. */
  async function* readEvents(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let type = "message";
    let data = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop();
      for (const line of lines) {
        if (line === "") {
          if (data.length) yield { type, data: data.join("\n") };
          type = "message";
          data = [];
        } else if (!line.startsWith(":")) {
          const colon = line.indexOf(":");
          const field = colon === -1 ? line : line.slice(0, colon);
          let value = colon === -1 ? "" : line.slice(colon + 1);
          if (value.startsWith(" ")) value = value.slice(1);
          if (field === "event") type = value;
          else if (field === "data") data.push(value);
        }
      }
    }
  }

  function resetProgress() {
    $("progress").hidden = false;
    $("stages").replaceChildren();
    $("status").textContent = "Sending the articles…";
  }

  function showStage(stage) {
    const rows = $("stages");
    let row = rows.querySelector('[data-stage="' + CSS.escape(stage.stage) + '"]');
    if (!row) {
      row = el("li", { "data-stage": stage.stage });
      rows.append(row);
    }
    const what = el("span", null, el("strong", { text: stage.label }), " ", stage.done + "/" + stage.total);
    if (stage.total > 1) {
      what.append(" ", el("progress", { max: stage.total, value: stage.done, "aria-hidden": "true" }));
    }
    if (stage.detail) what.append(el("span", { className: "detail", text: stage.detail }));
    row.replaceChildren(el("span", { className: "elapsed", text: stage.elapsed_s.toFixed(1) + " s" }), what);
    row.classList.remove("fresh");
    void row.offsetWidth;
    row.classList.add("fresh");
    $("status").textContent = stage.label + " " + stage.done + "/" + stage.total;
  }

  async function writeBrief(event) {
    event.preventDefault();
    const problem = $("form-problem");
    problem.textContent = "";
    const { articles, problems } = collectArticles();
    if (problems.length) {
      problem.textContent = problems.join(" ");
      return;
    }
    const options = { source_text: true };
    const language = $("language").value.trim();
    if (language) options.language = language;
    const length = parseInt($("max-sentences").value, 10);
    if (length) options.max_sentences = length;

    await follow("/v1/briefs", {
      method: "POST",
      headers: headers({ Accept: "text/event-stream" }),
      body: JSON.stringify({ articles, options }),
    });
  }

  /** Watch a job written in the background (the page's address ends in #job=<id>). */
  async function watchJob(id) {
    await follow("/v1/jobs/" + encodeURIComponent(id) + "/events", {
      method: "GET",
      headers: headers({ Accept: "text/event-stream" }),
    });
  }

  /** Request `url` as a stream of a brief's events, showing each as it arrives. */
  async function follow(url, request) {
    closeCitation();
    $("result").hidden = true;
    resetProgress();
    const controller = new AbortController();
    state.controller = controller;
    $("submit").disabled = true;
    $("cancel").hidden = false;
    try {
      const response = await fetch(url, Object.assign({ signal: controller.signal }, request));
      if (!response.ok) {
        const error = await errorMessage(response);
        if (response.status === 401) askForKey("Enter the API key, then try again.");
        fail(error);
        return;
      }
      let ended = false;
      for await (const message of readEvents(response)) {
        const data = JSON.parse(message.data);
        if (message.type === "stage") showStage(data);
        else if (message.type === "brief") {
          ended = true;
          showBrief(data);
        } else if (message.type === "error") {
          ended = true;
          fail(data.error);
        }
      }
      if (!ended) fail({ message: "the connection closed before the brief was written; try again" });
    } catch (error) {
      if (error.name === "AbortError") $("status").textContent = "Stopped: the brief was cancelled.";
      else fail({ message: "the connection failed: " + error.message });
    } finally {
      state.controller = null;
      $("submit").disabled = false;
      $("cancel").hidden = true;
    }
  }

  function fail(error) {
    const text = "The brief could not be written: " + (error.message || "unknown error") +
      (error.code ? " (" + error.code + ")" : "");
    $("status").textContent = text;
    $("form-problem").textContent = text;
  }

  // ----------------------------------------------------------------- the brief

  function sourcesById(brief) {
    return new Map((brief.sources || []).map((source) => [source.sid, source]));
  }

  function markerButtons(item, kind, index) {
    const markers = [];
    for (const sid of item.sources || []) {
      const button = el("button", {
        type: "button",
        className: "cite",
        "data-kind": kind,
        "data-index": index,
        "data-sid": sid,
        "aria-expanded": "false",
        "aria-controls": "citation",
        "aria-label": "Source " + sid,
        text: sid,
      });
      markers.push(button);
    }
    return markers;
  }

  function showBrief(brief) {
    state.brief = brief;
    const sources = sourcesById(brief);
    $("brief-title").textContent = brief.title;

    const sentences = $("sentences");
    sentences.replaceChildren();
    (brief.sentences || []).forEach((sentence, index) => {
      sentences.append(el("p", null, sentence.text, ...markerButtons(sentence, "sentences", index)));
    });

    const disagreements = $("disagreements");
    disagreements.replaceChildren();
    (brief.disagreements || []).forEach((item, index) => {
      disagreements.append(el("li", null, item.text, ...markerButtons(item, "disagreements", index)));
    });
    $("disagreements-box").hidden = !disagreements.children.length;

    const reasons = new Map((brief.excluded || []).map((e) => [e.sid, e.reason]));
    const list = $("sources");
    list.replaceChildren();
    for (const source of brief.sources || []) {
      const item = el("li", { id: "source-" + source.sid },
        el("strong", { text: source.sid }), " ", source.source, ": ", link(source.title, source.url));
      if (reasons.has(source.sid)) item.append(" — ", el("span", { className: "reason", text: reasons.get(source.sid) }));
      list.append(item);
    }

    const excluded = $("excluded");
    excluded.replaceChildren();
    for (const entry of brief.excluded || []) {
      const source = sources.get(entry.sid);
      const name = source ? source.source + ", “" + source.title + "”" : entry.sid;
      excluded.append(el("li", null, el("strong", { text: entry.sid }), " " + name + ": " + entry.reason));
    }
    $("excluded-box").hidden = !excluded.children.length;

    const warnings = $("warnings");
    warnings.replaceChildren();
    for (const warning of brief.warnings || []) warnings.append(el("li", { text: warning }));
    $("warnings-box").hidden = !warnings.children.length;

    $("usage").textContent = usageLine(brief);
    $("copy-status").textContent = "";
    $("result").hidden = false;
    $("status").textContent = "The brief is written: " + (brief.sentences || []).length + " sentence(s).";
    $("brief-title").setAttribute("tabindex", "-1");
    $("brief-title").focus();
  }

  // ----------------------------------------------------------------- citations

  /** The passage [start, end) of `text` with up to CONTEXT_CHARS around it, cut at spaces. */
  function inContext(text, start, end) {
    let from = Math.max(0, start - CONTEXT_CHARS);
    let to = Math.min(text.length, end + CONTEXT_CHARS);
    if (from > 0) from = text.indexOf(" ", from) + 1 || from;
    if (to < text.length) to = text.lastIndexOf(" ", to) > end ? text.lastIndexOf(" ", to) : to;
    return el("blockquote", null,
      (from > 0 ? "…" : "") + text.slice(from, start),
      el("mark", { text: text.slice(start, end) }),
      text.slice(end, to) + (to < text.length ? "…" : ""));
  }

  function showCitation(marker, byHover) {
    const brief = state.brief;
    if (!brief) return;
    const item = (brief[marker.dataset.kind] || [])[Number(marker.dataset.index)];
    const source = sourcesById(brief).get(marker.dataset.sid);
    if (!item || !source) return;
    if (state.openMarker && state.openMarker !== marker) state.openMarker.setAttribute("aria-expanded", "false");
    state.openMarker = marker;
    state.openedByHover = byHover;
    marker.setAttribute("aria-expanded", "true");

    $("citation-heading").textContent = source.sid + " · " + source.source;
    const where = $("citation-source");
    where.replaceChildren(link(source.title, source.url));
    if (source.published_at) where.append(" (" + source.published_at.slice(0, 10) + ")");

    const passages = $("citation-passages");
    passages.replaceChildren();
    const evidence = (item.evidence || []).filter((e) => e.sid === source.sid);
    const text = typeof source.text === "string" ? source.text : null;
    for (const passage of evidence) {
      const fits = text !== null && Number.isInteger(passage.start) && Number.isInteger(passage.end) &&
        passage.start >= 0 && passage.end <= text.length && passage.start < passage.end &&
        (!passage.quote || text.slice(passage.start, passage.end) === passage.quote);
      passages.append(fits
        ? inContext(text, passage.start, passage.end)
        : el("blockquote", null, el("mark", { text: passage.quote || "" })));
    }
    if (!evidence.length) {
      passages.append(el("p", { className: "note", text:
        "No passage was recorded for this sentence: it cites this article as a whole." }));
    }

    const panel = $("citation");
    panel.hidden = false;
    if (!window.matchMedia("(max-width: 600px)").matches) {
      const box = marker.getBoundingClientRect();
      const width = panel.offsetWidth;
      const left = Math.max(8, Math.min(box.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - width - 8));
      panel.style.left = left + "px";
      panel.style.top = box.bottom + window.scrollY + 6 + "px";
    }
    const first = passages.querySelector("mark");
    if (first) first.scrollIntoView({ block: "nearest" });
    if (!byHover) $("citation-heading").focus();
  }

  function closeCitation(returnFocus) {
    const marker = state.openMarker;
    $("citation").hidden = true;
    state.openMarker = null;
    if (marker) {
      marker.setAttribute("aria-expanded", "false");
      if (returnFocus) marker.focus();
    }
  }

  function onMarkerClick(event) {
    const marker = event.target.closest(".cite");
    if (!marker) return;
    if (state.openMarker === marker && !state.openedByHover) closeCitation(true);
    else showCitation(marker, false);
  }

  // ----------------------------------------------------------------- Markdown (as the API's)

  // The same rules as service/escape.py and service/render.py, so that a copied brief is the
  // brief the API answers with Accept: text/markdown.
  const CONTROLS = /[\x00-\x1f\x7f\x85\u2028\u2029]+/g;
  const URL_SAFE = "/:?#[]@!$&'*+,;=%~-._";

  function oneLine(text) {
    return text.replace(CONTROLS, " ").replace(/ {2,}/g, " ").trim();
  }

  function mdText(text) {
    const escaped = oneLine(text)
      .replace(/([\\`*_\[\]<>|~])/g, "\\$1")
      .replace(/&(?=#?[0-9A-Za-z]+;)/g, "\\&");
    const block = /^([#>+\-=]|\d+(?=[.)]))/.exec(escaped);
    if (!block) return escaped;
    if (/^\d+$/.test(block[0])) return escaped.slice(0, block[0].length) + "\\" + escaped.slice(block[0].length);
    return "\\" + escaped;
  }

  function quoteUrl(url) {
    let out = "";
    for (const char of url) {
      if (/[A-Za-z0-9]/.test(char) || URL_SAFE.includes(char)) {
        out += char;
      } else {
        for (const byte of new TextEncoder().encode(char)) {
          out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
        }
      }
    }
    return out;
  }

  function mdLink(label, url) {
    const target = webUrl(url);
    if (target) return "[" + mdText(label) + "](" + quoteUrl(target) + ")";
    if (url) return mdText(label) + " (" + mdText(url) + ")";
    return mdText(label);
  }

  function markers(sids) {
    return "[" + sids.join(", ") + "]";
  }

  function usageLine(brief) {
    const usage = brief.usage || {};
    return brief.model + " · prompts " + brief.prompt_version + " · " + usage.llm_calls +
      " LLM calls · " + usage.prompt_tokens + " prompt + " + usage.completion_tokens +
      " completion tokens · " + usage.cache_hits + " cached";
  }

  function toMarkdown(brief) {
    const lines = ["# " + mdText(brief.title), ""];
    for (const s of brief.sentences || []) lines.push(mdText(s.text) + " " + markers(s.sources));
    if ((brief.disagreements || []).length) {
      lines.push("", "## Where the sources disagree", "");
      for (const d of brief.disagreements) lines.push("- " + mdText(d.text) + " " + markers(d.sources));
    }
    lines.push("", "## Sources", "");
    const reasons = new Map((brief.excluded || []).map((e) => [e.sid, e.reason]));
    for (const source of brief.sources || []) {
      const note = reasons.has(source.sid) ? " — *" + mdText(reasons.get(source.sid)) + "*" : "";
      lines.push("- **" + source.sid + "** " + mdText(source.source) + ": " + mdLink(source.title, source.url) + note);
    }
    if ((brief.warnings || []).length) {
      lines.push("", "## Warnings", "");
      for (const w of brief.warnings) lines.push("- " + mdText(w));
    }
    lines.push("", "*" + mdText(usageLine(brief)) + "*");
    return lines.join("\n") + "\n";
  }

  async function copyMarkdown() {
    if (!state.brief) return;
    const text = toMarkdown(state.brief);
    const status = $("copy-status");
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = "Copied the brief as Markdown.";
    } catch (error) {
      const area = el("textarea", { "aria-hidden": "true" });
      area.value = text;
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.append(area);
      area.select();
      const done = document.execCommand && document.execCommand("copy");
      area.remove();
      status.textContent = done ? "Copied the brief as Markdown." : "Copying was refused by the browser.";
    }
  }

  // ----------------------------------------------------------------- wiring

  function start() {
    const authMeta = document.querySelector('meta[name="fusebrief-auth"]');
    if (authMeta && authMeta.content === "bearer") $("key-box").hidden = false;
    $("api-key").value = apiKey();
    $("api-key").addEventListener("input", (event) => {
      const value = event.target.value.trim();
      if (value) sessionStorage.setItem(KEY_STORAGE, value);
      else sessionStorage.removeItem(KEY_STORAGE);
    });

    addArticle();
    addArticle();
    $("add-article").addEventListener("click", () => addArticle().querySelector(".f-title").focus());
    $("fetch-links").addEventListener("click", fetchLinks);
    $("compose").addEventListener("submit", writeBrief);
    $("cancel").addEventListener("click", () => state.controller && state.controller.abort());
    $("copy-markdown").addEventListener("click", copyMarkdown);

    const zone = $("drop-zone");
    zone.addEventListener("dragover", (event) => {
      event.preventDefault();
      zone.classList.add("over");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("over");
      readFiles([...event.dataTransfer.files]);
    });
    $("files").addEventListener("change", (event) => {
      readFiles([...event.target.files]);
      event.target.value = "";
    });

    const result = $("result");
    result.addEventListener("click", onMarkerClick);
    result.addEventListener("mouseover", (event) => {
      const marker = event.target.closest(".cite");
      if (marker && (!state.openMarker || state.openedByHover)) showCitation(marker, true);
    });
    result.addEventListener("mouseout", (event) => {
      const marker = event.target.closest(".cite");
      const into = event.relatedTarget;
      if (marker && state.openedByHover && !(into && $("citation").contains(into))) closeCitation(false);
    });
    $("citation").addEventListener("mouseleave", () => state.openedByHover && closeCitation(false));
    $("citation-close").addEventListener("click", () => closeCitation(true));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && state.openMarker) closeCitation(true);
    });
    document.addEventListener("click", (event) => {
      if (state.openMarker && !event.target.closest(".cite") && !$("citation").contains(event.target)) {
        closeCitation(false);
      }
    });

    const job = /^#job=([A-Za-z0-9_-]{1,64})$/.exec(window.location.hash);
    if (job) {
      $("compose").hidden = true;
      $("new-brief").hidden = false;
      watchJob(job[1]);
    }

    // The page's own hooks for tests and for people who script it: the brief and its Markdown.
    window.fusebrief = { brief: () => state.brief, markdown: () => state.brief && toMarkdown(state.brief) };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
