/* Gavel's pages for students and staff, on the public API only (/api/v1, same origin).
 *
 * Every page is this one script: it reads location.pathname and draws the page into <main>.
 * Text from users (titles, names, sources, outputs, messages) is only ever set as text
 * (textContent, text nodes), never as HTML; the one exception is a problem's statement_html,
 * which the server renders from Markdown in safe mode. The Content-Security-Policy forbids
 * inline scripts and eval besides.
 *
 * The bearer token lives in sessionStorage (gone when the browser closes: the right default on
 * a shared lab machine), or in localStorage when "keep me signed in" is ticked. Either way no
 * cookie holds it, so other sites cannot make the browser send it (no CSRF). */
"use strict";

const TOKEN_KEY = "gavel.token";
const USER_KEY = "gavel.user";

/* --- small helpers --- */

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, "");
    else e.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const main = () => document.getElementById("main");

function setStatus(text, isError) {
  const s = document.getElementById("status");
  s.textContent = text || "";
  s.className = isError ? "error" : "";
}

function storage() {
  return localStorage.getItem(TOKEN_KEY) ? localStorage : sessionStorage;
}
function token() {
  return localStorage.getItem(TOKEN_KEY) || sessionStorage.getItem(TOKEN_KEY);
}
function me() {
  try {
    return JSON.parse(storage().getItem(USER_KEY) || "null");
  } catch (e) {
    return null;
  }
}
function isStaff() {
  const u = me();
  return !!u && (u.role === "instructor" || u.role === "admin");
}
function forget() {
  for (const s of [localStorage, sessionStorage]) {
    s.removeItem(TOKEN_KEY);
    s.removeItem(USER_KEY);
  }
}

/* The server's clock minus ours, from the server_time of contests and leaderboards (else the
 * Date header of its answers, 1 s resolution): the countdowns use it, so a wrong clock on the
 * viewer's machine does not show a wrong time. */
let clockSkew = 0;

class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message ? (err.field ? err.field + ": " : "") + err.message : "HTTP " + status);
    this.status = status;
    this.field = err.field;
  }
}

/* One API call. body: an object (sent as JSON), or a Blob/File (sent as it is, raw). */
async function api(method, path, body, contentType) {
  const headers = {};
  const t = token();
  if (t) headers.Authorization = "Bearer " + t;
  let data;
  if (body instanceof Blob) {
    data = body;
    headers["Content-Type"] = contentType || "application/octet-stream";
  } else if (body !== undefined) {
    data = JSON.stringify(body);
    headers["Content-Type"] = "application/json";
  }
  const resp = await fetch("/api/v1" + path, { method, headers, body: data });
  const date = resp.headers.get("Date");
  if (date) clockSkew = Date.parse(date) - Date.now();
  let json = null;
  if ((resp.headers.get("Content-Type") || "").startsWith("application/json"))
    json = await resp.json();
  /* Contests and leaderboards give the server's time to the millisecond. */
  if (json && typeof json.server_time === "string" && !isNaN(Date.parse(json.server_time)))
    clockSkew = Date.parse(json.server_time) - Date.now();
  if (resp.status === 401 && t) {
    forget(); /* the token expired or was revoked */
    drawWho();
  }
  if (!resp.ok) throw new ApiError(resp.status, json);
  return json;
}

function serverNow() {
  return Date.now() + clockSkew;
}

function fmtTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

function fmtDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60), sec = s % 60;
  const hms = [h, m, sec].map((x) => String(x).padStart(2, "0")).join(":");
  return d ? d + "d " + hms : hms;
}

/* The phase of a contest as the API names it (c.phase, as of reading), kept moving from its
 * times and the server's clock so that a page left open turns "upcoming" into "running". */
function phase(c, now) {
  const start = Date.parse(c.starts_at), end = Date.parse(c.ends_at);
  const freeze = c.freeze_at ? Date.parse(c.freeze_at) : null;
  if (now < start) return { name: "upcoming", label: "starts in", until: start };
  if (now < end) {
    if (freeze !== null && now >= freeze && !c.unfrozen)
      return { name: "frozen", label: "running, frozen; ends in", until: end };
    return { name: "running", label: "running; ends in", until: end };
  }
  return { name: "ended", label: "ended", until: null };
}

function verdictBadge(s) {
  if (!s) return el("span", { class: "verdict pending", text: "…" });
  const v = s.status && s.status !== "done" ? s.status : s.verdict || "?";
  const cls = s.status && s.status !== "done" ? "pending" : s.verdict || "pending";
  return el("span", { class: "verdict " + cls, text: v });
}

function needSignIn() {
  main().replaceChildren(
    el("h1", { text: "Sign in first" }),
    el("p", {}, "This page needs an account. ", el("a", { href: "/login?next=" +
      encodeURIComponent(location.pathname + location.search), text: "Sign in" }),
      " or ", el("a", { href: "/register", text: "register" }), ".")
  );
}

function field(label, input, hint) {
  return el("label", {}, label, input, hint ? el("span", { class: "muted", text: hint }) : null);
}

/* Disables a form's button while its action runs; shows the error the API gave. */
function onSubmit(form, action) {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => (b.disabled = true));
    setStatus("Working…");
    try {
      await action(new FormData(form));
      if (document.getElementById("status").textContent === "Working…") setStatus("");
    } catch (e) {
      setStatus(e.message, true);
      if (e.field && form.elements[e.field]) form.elements[e.field].focus();
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  });
  return form;
}

function go(path) {
  location.assign(path);
}

/* --- header --- */

function drawWho() {
  const u = me();
  document.getElementById("whoami").textContent = u ? u.username + " (" + u.role + ")" : "";
  document.getElementById("signin").hidden = !!u;
  document.getElementById("signout").hidden = !u;
  document.querySelectorAll(".staff-only").forEach((x) => (x.hidden = !isStaff()));
}

/* --- accounts --- */

async function signIn(username, password, keep) {
  const s = await api("POST", "/sessions", { username, password });
  forget();
  const st = keep ? localStorage : sessionStorage;
  st.setItem(TOKEN_KEY, s.token);
  st.setItem(USER_KEY, JSON.stringify(s.user));
}

function nextPage() {
  const n = new URLSearchParams(location.search).get("next");
  return n && n.startsWith("/") && !n.startsWith("//") ? n : "/problems";
}

function viewLogin() {
  document.title = "Sign in · Gavel";
  const form = el("form", { class: "stack", id: "login-form" },
    field("Username", el("input", { name: "username", id: "username", autocomplete: "username",
      required: true })),
    field("Password", el("input", { name: "password", id: "password", type: "password",
      autocomplete: "current-password", required: true })),
    el("label", { class: "check" }, el("input", { type: "checkbox", name: "keep" }),
      "Keep me signed in on this device"),
    el("button", { type: "submit", text: "Sign in" }));
  onSubmit(form, async (fd) => {
    await signIn(fd.get("username"), fd.get("password"), !!fd.get("keep"));
    go(nextPage());
  });
  main().replaceChildren(el("h1", { text: "Sign in" }), form,
    el("p", {}, "No account? ", el("a", { href: "/register", text: "Register" }), "."));
}

function viewRegister() {
  document.title = "Register · Gavel";
  const form = el("form", { class: "stack", id: "register-form" },
    field("Username", el("input", { name: "username", autocomplete: "username", required: true,
      pattern: "[A-Za-z0-9_.\\-]{1,32}" }), "letters, digits, _ . - (up to 32)"),
    field("Display name", el("input", { name: "display_name", autocomplete: "name" })),
    field("Password", el("input", { name: "password", type: "password", minlength: 8,
      autocomplete: "new-password", required: true }), "8 characters or more"),
    el("button", { type: "submit", text: "Create my account" }));
  onSubmit(form, async (fd) => {
    const body = { username: fd.get("username"), password: fd.get("password") };
    if (fd.get("display_name")) body.display_name = fd.get("display_name");
    await api("POST", "/users", body);
    await signIn(body.username, body.password, false);
    go("/problems");
  });
  main().replaceChildren(el("h1", { text: "Register" }), form);
}

/* --- problems --- */

/* The reader's own mark on a problem: in words, not only in colour. */
function mark(p) {
  if (p.solved) return el("span", { class: "mark solved", text: "✓ solved" });
  if (p.attempted) return el("span", { class: "mark attempted", text: "attempted" });
  return el("span", { class: "mark muted", text: "—" });
}

async function viewProblems() {
  document.title = "Problems · Gavel";
  if (!token()) return needSignIn();
  const tbody = el("tbody");
  const more = el("button", { type: "button", class: "secondary", hidden: true, text: "More" });
  main().replaceChildren(el("h1", { text: "Problems" }),
    el("table", { class: "list" }, el("caption", { class: "sr-only", text: "Problems" }),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Problem" }),
        el("th", { scope: "col", text: "Yours" }), el("th", { scope: "col", text: "Points" }),
        el("th", { scope: "col", text: "Access" }))),
      tbody), more);
  let cursor = null;
  async function page() {
    const q = "?limit=50" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
    const r = await api("GET", "/problems" + q);
    for (const p of r.items) {
      tbody.append(el("tr", {},
        el("td", {}, el("a", { href: "/problems/" + encodeURIComponent(p.slug), text: p.title })),
        el("td", {}, mark(p)), el("td", { text: p.max_score }), el("td", { text: p.visibility })));
    }
    cursor = r.next_cursor;
    more.hidden = !cursor;
  }
  more.addEventListener("click", () => page().catch((e) => setStatus(e.message, true)));
  await page();
}

async function languageSelect(name) {
  const langs = await api("GET", "/languages");
  const sel = el("select", { name, id: name, required: true });
  const items = Array.isArray(langs) ? langs : langs.items || [];
  for (const l of items)
    sel.append(el("option", { value: l.id, text: l.name + (l.version ? " (" + l.version + ")" : "") }));
  const last = localStorage.getItem("gavel.language");
  if (last && items.some((l) => l.id === last)) sel.value = last;
  sel.addEventListener("change", () => localStorage.setItem("gavel.language", sel.value));
  return { sel, items };
}

/* A source area with a file picker that fills it. */
function sourceInput(name, langs, sel) {
  const area = el("textarea", { name, id: name, rows: 14, spellcheck: "false", required: true });
  const file = el("input", { type: "file", id: name + "-file" });
  file.addEventListener("change", async () => {
    const f = file.files[0];
    if (!f) return;
    area.value = await f.text();
    const ext = f.name.split(".").pop();
    const l = langs.find((x) => (x.source_file || "").split(".").pop() === ext);
    if (l) sel.value = l.id;
  });
  return [field("Source", area), field("…or upload a file", file)];
}

async function viewProblem(slug) {
  if (!token()) return needSignIn();
  const contest = new URLSearchParams(location.search).get("contest");
  const p = await api("GET", "/problems/" + encodeURIComponent(slug));
  document.title = p.title + " · Gavel";
  const statement = el("section", { class: "statement", "aria-label": "Statement" });
  /* The server rendered it from Markdown in safe mode (no raw HTML, no script: links). */
  statement.innerHTML = p.statement_html || "";
  if (!p.statement_html) statement.append(el("pre", { text: p.statement }));
  const samples = el("div", { class: "samples" });
  for (const s of p.samples || []) {
    samples.append(el("div", { class: "card" }, el("h3", { text: "Sample " + s.ordinal }),
      el("p", { text: "Input" }), el("pre", { text: s.input }),
      el("p", { text: "Output" }), el("pre", { text: s.output })));
  }
  const limits = Object.entries(p.limits || {}).map(([id, l]) =>
    id + ": " + l.time_limit_ms + " ms, " + l.memory_limit_mb + " MB").join(" · ");
  const { sel, items } = await languageSelect("language");
  const form = el("form", { class: "stack", id: "submit-form" },
    field("Language", sel), ...sourceInput("source", items, sel),
    el("button", { type: "submit", text: "Submit" }));
  onSubmit(form, async (fd) => {
    const body = { problem: slug, language: fd.get("language"), source: fd.get("source") };
    if (contest) body.contest = contest;
    const r = await api("POST", "/submissions", body);
    go("/submissions/" + r.id);
  });
  const head = [el("h1", { text: p.title }),
    el("p", { class: "muted" }, "Limits — ", limits || "the languages' own",
      " · max score " + p.max_score, contest ? " · in contest " + contest : "")];
  if (isStaff())
    head.push(el("p", {}, el("a", { href: "/staff/problems/" + encodeURIComponent(slug),
      text: "Staff: package, verify, rejudge" })));
  main().replaceChildren(...head, statement,
    samples.childElementCount ? el("h2", { text: "Samples" }) : null, samples,
    el("h2", { text: "Submit" }), form,
    el("p", {}, el("a", { href: "/submissions?problem=" + encodeURIComponent(slug),
      text: "My submissions to this problem" })));
}

/* --- submissions --- */

function submissionRow(s) {
  return el("tr", { "data-id": s.id },
    el("td", {}, el("a", { href: "/submissions/" + s.id, text: "#" + s.id })),
    el("td", { text: s.problem }), el("td", { text: s.user }), el("td", { text: s.language }),
    el("td", {}, verdictBadge(s)),
    el("td", { text: s.score === null || s.score === undefined ? "—" : s.score + " / " +
      (s.max_score === null ? "?" : s.max_score) }),
    el("td", { text: fmtTime(s.created_at) }));
}

async function viewSubmissions() {
  document.title = "Submissions · Gavel";
  if (!token()) return needSignIn();
  const params = new URLSearchParams(location.search);
  const q = new URLSearchParams();
  for (const k of ["problem", "user", "verdict"]) if (params.get(k)) q.set(k, params.get(k));
  q.set("limit", "50");
  const tbody = el("tbody");
  main().replaceChildren(el("h1", { text: isStaff() ? "Submissions" : "My submissions" }),
    el("table", { class: "list" }, el("caption", { class: "sr-only", text: "Submissions" }),
      el("thead", {}, el("tr", {}, ...["Id", "Problem", "User", "Language", "Verdict", "Score",
        "Sent"].map((h) => el("th", { scope: "col", text: h })))), tbody));
  /* Redrawn when the oldest unfinished one on the page is done (a long poll, not a timer). */
  for (let round = 0; round < 1000; round++) {
    const r = await api("GET", "/submissions?" + q.toString());
    tbody.replaceChildren(...r.items.map(submissionRow));
    const pending = r.items.filter((s) => s.status !== "done");
    if (!pending.length) break;
    await api("GET", "/submissions/" + pending[pending.length - 1].id + "?wait=25");
  }
}

function testsTable(tests) {
  return el("table", { class: "list", id: "tests" },
    el("caption", { class: "sr-only", text: "Tests" }),
    el("thead", {}, el("tr", {}, ...["Test", "Group", "Verdict", "Time", "Memory", "Points",
      "Message"].map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, ...tests.map((t) => el("tr", {},
      el("td", { text: t.ordinal }), el("td", { text: t.group || "" }),
      el("td", {}, el("span", { class: "verdict " + t.verdict, text: t.verdict })),
      el("td", { text: t.time_ms + " ms" }), el("td", { text: t.memory_kb + " KB" }),
      el("td", { text: t.points }), el("td", { text: t.message || "" })))));
}

/* "test 3 of 10" while a submission is judged (its progress), null otherwise. */
function progressText(s) {
  const p = s.progress;
  if (!p) return null;
  return "Judging: test " + Math.min(p.tests_done + 1, p.tests_total) + " of " + p.tests_total +
    " (" + p.tests_done + " done, score so far " + p.score + " / " + p.max_score + ")";
}

async function viewSubmission(id) {
  document.title = "Submission " + id + " · Gavel";
  if (!token()) return needSignIn();
  let s = await api("GET", "/submissions/" + id);
  for (let round = 0; ; round++) {
    const info = el("dl", { class: "facts" },
      el("dt", { text: "Problem" }), el("dd", {}, el("a", { href: "/problems/" +
        encodeURIComponent(s.problem), text: s.problem })),
      el("dt", { text: "Author" }), el("dd", { text: s.user }),
      el("dt", { text: "Language" }), el("dd", { text: s.language }),
      s.contest ? el("dt", { text: "Contest" }) : null,
      s.contest ? el("dd", {}, el("a", { href: "/contests/" + encodeURIComponent(s.contest),
        text: s.contest })) : null,
      el("dt", { text: "Verdict" }), el("dd", { id: "verdict" }, verdictBadge(s)),
      el("dt", { text: "Score" }), el("dd", { text: s.score === null ? "—" : s.score + " / " +
        s.max_score }),
      el("dt", { text: "Time, memory" }), el("dd", { text: s.time_ms === null ? "—" :
        s.time_ms + " ms, " + s.memory_kb + " KB" }));
    const parts = [el("h1", { text: "Submission #" + s.id }), info];
    if (s.status !== "done") {
      const p = s.progress;
      parts.push(el("p", { class: "muted", id: "progress" }, progressText(s) ||
        (s.status === "queued" ? "Queued" : "Judging") + "… this page updates by itself."));
      if (p) parts.push(el("progress", { max: p.tests_total, value: p.tests_done,
        "aria-label": "tests done" }));
    }
    if (s.message) parts.push(el("p", { class: "error", text: s.message }));
    if (isStaff()) {
      /* Those who run its problem or contest may; the API says no to other staff. */
      const b = el("button", { type: "button", class: "secondary", id: "rejudge",
        text: "Rejudge this submission" });
      b.addEventListener("click", () => api("POST", "/submissions/" + s.id + "/rejudge", {})
        .then(() => {
          setStatus("Queued again: the result below stays until the new one lands.");
          if (s.status === "done") return viewSubmission(id); /* follow the new judging */
        })
        .catch((e) => setStatus(e.message, true)));
      parts.push(el("p", {}, b));
    }
    if (s.compile_output)
      parts.push(el("h2", { text: "Compiler" }), el("pre", { text: s.compile_output }));
    if (s.tests && s.tests.length) parts.push(el("h2", { text: "Tests" }), testsTable(s.tests));
    if (s.source !== undefined)
      parts.push(el("h2", { text: "Source" }), el("pre", { id: "source", text: s.source }));
    main().replaceChildren(...parts);
    if (s.status === "done" || round > 400) break;
    /* Redrawn at the next test done, or at the end (a long poll, not a timer). */
    const seen = s.progress ? s.progress.tests_done : 0;
    s = await api("GET", "/submissions/" + id + "?wait=25&tests_done=" + seen);
  }
}

/* --- runs: a small playground --- */

async function viewRuns() {
  document.title = "Playground · Gavel";
  if (!token()) return needSignIn();
  const { sel, items } = await languageSelect("language");
  const out = el("section", { id: "run-result", "aria-live": "polite" });
  const form = el("form", { class: "stack", id: "run-form" },
    field("Language", sel), ...sourceInput("source", items, sel),
    field("Input (stdin)", el("textarea", { name: "stdin", id: "stdin", rows: 4 })),
    el("button", { type: "submit", text: "Run" }));
  onSubmit(form, async (fd) => {
    out.replaceChildren(el("p", { class: "muted", text: "Running…" }));
    let r = await api("POST", "/runs", { language: fd.get("language"), source: fd.get("source"),
      stdin: fd.get("stdin") });
    for (let i = 0; i < 20 && r.status !== "done"; i++)
      r = await api("GET", "/runs/" + r.id + "?wait=25");
    out.replaceChildren(el("p", {}, verdictBadge({ verdict: r.verdict, status: r.status }),
      " exit code " + (r.exit_code === null ? "—" : r.exit_code) + ", " +
      (r.time_ms === null ? "—" : r.time_ms) + " ms, " +
      (r.memory_kb === null ? "—" : r.memory_kb) + " KB"),
      r.compile_output ? el("h2", { text: "Compiler" }) : null,
      r.compile_output ? el("pre", { text: r.compile_output }) : null,
      el("h2", { text: "Output" }), el("pre", { id: "stdout", text: r.stdout || "" }),
      r.stderr ? el("h2", { text: "Errors" }) : null,
      r.stderr ? el("pre", { text: r.stderr }) : null);
  });
  main().replaceChildren(el("h1", { text: "Playground" }),
    el("p", { class: "muted", text: "Run code on an input of yours, without tests." }), form, out);
}

/* --- contests --- */

function countdown(c) {
  const span = el("span", { class: "countdown" });
  function tick() {
    const ph = phase(c, serverNow());
    span.textContent = ph.label + (ph.until ? " " + fmtDuration(ph.until - serverNow()) : "");
  }
  tick();
  setInterval(tick, 1000);
  return span;
}

async function viewContests() {
  document.title = "Contests · Gavel";
  const r = await api("GET", "/contests?limit=100");
  const list = el("div", { class: "cards" });
  for (const c of r.items) {
    list.append(el("article", { class: "card" },
      el("h2", {}, el("a", { href: "/contests/" + encodeURIComponent(c.slug), text: c.title })),
      el("p", {}, el("span", { class: "phase", text: c.scoring.toUpperCase() }), " · ",
        el("span", { class: "phase-name phase-" + c.phase, text: c.phase }), " · ",
        countdown(c)),
      el("p", { class: "muted", text: fmtTime(c.starts_at) + " – " + fmtTime(c.ends_at) }),
      el("p", {}, el("a", { href: "/scoreboard/" + encodeURIComponent(c.slug),
        text: "Scoreboard" }))));
  }
  main().replaceChildren(el("h1", { text: "Contests" }),
    isStaff() ? el("p", {}, el("a", { href: "/contests/new", text: "New contest" })) : null,
    r.items.length ? list : el("p", { text: "No contests yet." }));
}

/* datetime-local wants "YYYY-MM-DDTHH:MM" in local time. */
function toLocalInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const off = d.getTimezoneOffset() * 60000;
  return new Date(d.getTime() - off).toISOString().slice(0, 16);
}
function fromLocalInput(v) {
  return v ? new Date(v).toISOString() : null;
}

function contestForm(c, onSave) {
  const lines = (c && c.problems || []).map((p) => p.label + " " + p.problem +
    (p.points ? " " + p.points : "")).join("\n");
  const sel = (name, opts, v) => el("select", { name, id: name },
    ...opts.map((o) => el("option", { value: o, text: o, selected: o === v })));
  const form = el("form", { class: "stack", id: "contest-form" },
    c ? null : field("Slug", el("input", { name: "slug", id: "slug", required: true,
      pattern: "[a-z0-9][a-z0-9_\\-]{0,63}" })),
    field("Title", el("input", { name: "title", id: "title", required: true,
      value: c ? c.title : "" })),
    field("Starts", el("input", { name: "starts_at", id: "starts_at", type: "datetime-local",
      required: true, value: toLocalInput(c && c.starts_at) })),
    field("Ends", el("input", { name: "ends_at", id: "ends_at", type: "datetime-local",
      required: true, value: toLocalInput(c && c.ends_at) })),
    field("Freeze (optional)", el("input", { name: "freeze_at", id: "freeze_at",
      type: "datetime-local", value: toLocalInput(c && c.freeze_at) })),
    field("Scoring", sel("scoring", ["icpc", "ioi"], c ? c.scoring : "icpc")),
    field("Visibility", sel("visibility", ["public", "private"], c ? c.visibility : "public")),
    field("Problems", el("textarea", { name: "problems", id: "problems", rows: 5 }, lines),
      "one per line: LABEL problem-slug [points]"),
    el("button", { type: "submit", text: c ? "Save" : "Create contest" }));
  onSubmit(form, async (fd) => {
    const body = {
      title: fd.get("title"), starts_at: fromLocalInput(fd.get("starts_at")),
      ends_at: fromLocalInput(fd.get("ends_at")), freeze_at: fromLocalInput(fd.get("freeze_at")),
      scoring: fd.get("scoring"), visibility: fd.get("visibility"),
      problems: fd.get("problems").split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
        const [label, problem, points] = l.split(/\s+/);
        return { label, problem, points: points ? Number(points) : null };
      }),
    };
    if (!c) body.slug = fd.get("slug");
    await onSave(body);
  });
  return form;
}

function viewContestNew() {
  document.title = "New contest · Gavel";
  if (!token()) return needSignIn();
  main().replaceChildren(el("h1", { text: "New contest" }), contestForm(null, async (body) => {
    const c = await api("POST", "/contests", body);
    go("/contests/" + encodeURIComponent(c.slug));
  }));
}

async function viewContest(slug) {
  const c = await api("GET", "/contests/" + encodeURIComponent(slug));
  document.title = c.title + " · Gavel";
  const u = me();
  const runs = u && (u.role === "admin" || c.owner === u.username ||
    (c.staff || []).includes(u.username));
  const probs = el("ul", {}, ...(c.problems || []).map((p) => el("li", {},
    el("strong", { text: p.label + ". " }),
    el("a", { href: "/problems/" + encodeURIComponent(p.problem) + "?contest=" +
      encodeURIComponent(slug), text: p.title || p.problem }),
    p.points ? " (" + p.points + " points)" : "")));
  const parts = [el("h1", { text: c.title }),
    el("p", {}, el("span", { class: "phase", text: c.scoring.toUpperCase() + " · " +
      c.visibility + " · " }), el("span", { class: "phase-name phase-" + c.phase,
      text: c.phase }), " · ", countdown(c)),
    el("p", { class: "muted", text: fmtTime(c.starts_at) + " – " + fmtTime(c.ends_at) +
      (c.freeze_at ? " · freeze " + fmtTime(c.freeze_at) + (c.unfrozen ? " (lifted)" : "") : "") +
      " · " + c.participants + " participants" }),
    el("p", {}, el("a", { href: "/scoreboard/" + encodeURIComponent(slug), text: "Scoreboard" })),
    el("h2", { text: "Problems" }),
    c.problems && c.problems.length ? probs :
      el("p", { class: "muted", text: "The problems are shown when the contest starts." })];
  if (runs) parts.push(...contestStaff(c));
  main().replaceChildren(...parts);
}

function contestStaff(c) {
  const path = "/contests/" + encodeURIComponent(c.slug);
  const done = (what) => () => setStatus(what);
  const participants = onSubmit(el("form", { class: "stack", id: "participants-form" },
    field("Add participants", el("textarea", { name: "usernames", id: "usernames", rows: 3 }),
      "usernames, separated by spaces, commas or lines"),
    el("button", { type: "submit", text: "Add" })), async (fd) => {
    const usernames = fd.get("usernames").split(/[\s,]+/).filter(Boolean);
    await api("POST", path + "/participants", { usernames });
    setStatus("Participants added.");
  });
  const staff = onSubmit(el("form", { class: "stack", id: "staff-form" },
    field("Staff (instructors who run it with you)", el("input", { name: "staff", id: "staff",
      value: (c.staff || []).join(", ") })),
    el("button", { type: "submit", text: "Save staff" })), async (fd) => {
    await api("PATCH", path, { staff: fd.get("staff").split(/[\s,]+/).filter(Boolean) });
    setStatus("Staff saved.");
  });
  const freeze = el("button", { type: "button", id: "freeze", text: "Freeze now" });
  freeze.addEventListener("click", () => api("PATCH", path,
    { freeze_at: new Date(serverNow()).toISOString() })
    .then(done("Frozen: students now see the standings as they are now."))
    .catch((e) => setStatus(e.message, true)));
  const unfreeze = el("button", { type: "button", id: "unfreeze", class: "secondary",
    text: "Unfreeze" });
  unfreeze.addEventListener("click", () => api("POST", path + "/unfreeze", {})
    .then(done("Unfrozen: everyone sees the final standings."))
    .catch((e) => setStatus(e.message, true)));
  const rejudge = (c.problems || []).map((p) => {
    const b = el("button", { type: "button", class: "secondary", text: "Rejudge " + p.label });
    b.addEventListener("click", () => {
      if (!confirm("Rejudge every submission to " + p.problem + " (in every contest)?")) return;
      api("POST", "/problems/" + encodeURIComponent(p.problem) + "/rejudge")
        .then(done("Rejudging " + p.problem + ".")).catch((e) => setStatus(e.message, true));
    });
    return b;
  });
  return [el("h2", { text: "Run this contest" }),
    el("details", {}, el("summary", { text: "Edit the contest" }),
      contestForm(c, async (body) => {
        await api("PATCH", path, body);
        setStatus("Saved.");
      })),
    participants, staff,
    el("p", {}, freeze, " ", unfreeze),
    rejudge.length ? el("p", {}, ...rejudge.flatMap((b) => [b, " "])) : null,
    el("h2", { text: "Participants" }), participantList(c)];
}

/* The contest's participants, a page at a time, each with a button that removes them (from
 * the contest and its standings; their submissions stay). */
function participantList(c) {
  const path = "/contests/" + encodeURIComponent(c.slug) + "/participants";
  const tbody = el("tbody");
  const more = el("button", { type: "button", class: "secondary", id: "participants-more",
    text: "More", hidden: true });
  let cursor = null;
  async function page() {
    const r = await api("GET", path + "?limit=50" + (cursor ? "&cursor=" +
      encodeURIComponent(cursor) : ""));
    for (const p of r.items) {
      const remove = el("button", { type: "button", class: "secondary", text: "Remove",
        "aria-label": "Remove " + p.username });
      const row = el("tr", { "data-username": p.username },
        el("td", { text: p.username }), el("td", { text: p.display_name }),
        el("td", { text: fmtTime(p.joined_at) }), el("td", {}, remove));
      remove.addEventListener("click", () => {
        if (!confirm("Remove " + p.username + " from the contest and its standings? " +
          "Their submissions stay.")) return;
        api("DELETE", path + "/" + encodeURIComponent(p.username))
          .then(() => { row.remove(); setStatus(p.username + " removed."); })
          .catch((e) => setStatus(e.message, true));
      });
      tbody.append(row);
    }
    cursor = r.next_cursor;
    more.hidden = !cursor;
  }
  more.addEventListener("click", () => page().catch((e) => setStatus(e.message, true)));
  page().catch((e) => setStatus(e.message, true));
  return el("div", {}, el("table", { class: "list", id: "participants" },
    el("caption", { class: "sr-only", text: "Participants" }),
    el("thead", {}, el("tr", {}, ...["User", "Name", "Joined", ""].map((h) =>
      el("th", { scope: "col", text: h })))), tbody), more);
}

/* --- staff: problems and packages --- */

const PROBLEM_TEMPLATE = JSON.stringify({
  slug: "new-problem", title: "New problem", statement: "Read $a$ and $b$, print $a+b$.",
  visibility: "public", checker: { kind: "tokens" },
  tests: [{ input: "1 2\n", output: "3\n", sample: true }, { input: "5 5\n", output: "10\n" }],
}, null, 2);

function packageType(name) {
  return /\.(tar\.gz|tgz)$/i.test(name) ? "application/gzip" : "application/zip";
}

function verifyReport(rep) {
  return el("section", { id: "verify-report" },
    el("p", {}, el("strong", { text: rep.done ? (rep.passed ? "Passed" : "Failed") :
      "Judging…" }), " · verification " + rep.verification + " of version " +
      rep.problem_version),
    el("table", { class: "list" }, el("caption", { class: "sr-only", text: "Solutions" }),
      el("thead", {}, el("tr", {}, ...["Solution", "Language", "Expected", "Got", "Time", ""]
        .map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...(rep.solutions || []).map((s) => el("tr", {},
        el("td", { text: s.path }), el("td", { text: s.language }),
        el("td", { text: s.expected }), el("td", {}, verdictBadge({ verdict: s.actual,
          status: s.status })),
        el("td", { text: s.time_ms === undefined ? "" : s.time_ms + " ms" }),
        el("td", { text: s.ok ? "ok" : rep.done ? "not as expected" : "" }))))),
    ...(rep.warnings || []).map((w) => el("p", { class: "error", text: w })));
}

async function runVerify(slug, out) {
  let rep = await api("POST", "/problems/" + encodeURIComponent(slug) + "/verify");
  out.replaceChildren(verifyReport(rep));
  for (let i = 0; i < 40 && !rep.done; i++) {
    rep = await api("GET", "/problems/" + encodeURIComponent(slug) + "/verify?wait=30&id=" +
      rep.verification);
    out.replaceChildren(verifyReport(rep));
  }
}

function viewStaff() {
  document.title = "Staff · Gavel";
  if (!token()) return needSignIn();
  const out = el("section", { id: "staff-result", "aria-live": "polite" });
  const create = onSubmit(el("form", { class: "stack", id: "problem-form" },
    field("Problem (JSON, as POST /api/v1/problems takes it)", el("textarea", { name: "json",
      id: "problem-json", rows: 12 }, PROBLEM_TEMPLATE)),
    el("button", { type: "submit", text: "Create problem" })), async (fd) => {
    let body;
    try {
      body = JSON.parse(fd.get("json"));
    } catch (e) {
      throw new Error("The JSON does not parse: " + e.message);
    }
    const p = await api("POST", "/problems", body);
    out.replaceChildren(el("p", {}, "Created ", el("a", { href: "/problems/" +
      encodeURIComponent(p.slug), text: p.title }), "."));
  });
  const upload = onSubmit(el("form", { class: "stack", id: "package-form" },
    field("Slug", el("input", { name: "slug", id: "package-slug", required: true,
      pattern: "[a-z0-9][a-z0-9_\\-]{0,63}" })),
    field("Package (.zip or .tar.gz)", el("input", { name: "package", id: "package-file",
      type: "file", accept: ".zip,.tar.gz,.tgz", required: true })),
    el("label", { class: "check" }, el("input", { type: "checkbox", name: "verify",
      checked: true }), "Verify it with its shipped solutions"),
    el("button", { type: "submit", text: "Upload" })), async (fd) => {
    const f = fd.get("package"), slug = fd.get("slug");
    const p = await api("POST", "/problems/" + encodeURIComponent(slug) + "/package", f,
      packageType(f.name));
    out.replaceChildren(el("p", {}, "Uploaded ", el("a", { href: "/problems/" +
      encodeURIComponent(p.slug || slug), text: p.title || slug }), " (version " +
      p.version + ")."));
    if (fd.get("verify")) {
      const rep = el("div");
      out.append(rep);
      await runVerify(slug, rep);
    }
  });
  main().replaceChildren(el("h1", { text: "Staff" }),
    el("p", {}, el("a", { href: "/contests/new", text: "New contest" }), " · ",
      el("a", { href: "/submissions", text: "Submissions" }),
      me() && me().role === "admin" ? [" · ", el("a", { href: "/staff/users",
        text: "Accounts" })] : null),
    el("h2", { text: "Upload a problem package" }), upload,
    el("h2", { text: "Create a problem" }), create, out);
}

/* Admins: every account, searched by name and role, each disabled or enabled with a button
 * (an admin's own account has none: the API refuses it). */
function viewUsers() {
  document.title = "Accounts · Gavel";
  if (!token()) return needSignIn();
  const tbody = el("tbody");
  const more = el("button", { type: "button", class: "secondary", id: "users-more",
    text: "More", hidden: true });
  let query = "", cursor = null;
  function row(u) {
    const state = el("td", { text: u.disabled ? "disabled" : "active" });
    const cells = [el("td", { text: u.username }), el("td", { text: u.display_name }),
      el("td", { text: u.role }), el("td", { text: fmtTime(u.created_at) }), state];
    const self = me() && me().username.toLowerCase() === u.username.toLowerCase();
    if (self) return el("tr", {}, ...cells, el("td", { class: "muted", text: "you" }));
    const b = el("button", { type: "button", class: "secondary" });
    const label = () => {
      b.textContent = u.disabled ? "Enable" : "Disable";
      b.setAttribute("aria-label", b.textContent + " " + u.username);
      state.textContent = u.disabled ? "disabled" : "active";
    };
    label();
    b.addEventListener("click", () => {
      if (!u.disabled && !confirm("Disable " + u.username + "? Their sessions end at once; " +
        "everything they made stays.")) return;
      api("PATCH", "/users/" + encodeURIComponent(u.username), { disabled: !u.disabled })
        .then((v) => { u.disabled = v.disabled; label(); setStatus(u.username + " " +
          (u.disabled ? "disabled." : "enabled.")); })
        .catch((e) => setStatus(e.message, true));
    });
    return el("tr", { "data-username": u.username }, ...cells, el("td", {}, b));
  }
  async function page() {
    const r = await api("GET", "/users?limit=50" + query + (cursor ? "&cursor=" +
      encodeURIComponent(cursor) : ""));
    tbody.append(...r.items.map(row));
    cursor = r.next_cursor;
    more.hidden = !cursor;
  }
  const search = onSubmit(el("form", { class: "stack", id: "users-search" },
    field("Name contains", el("input", { name: "q", id: "users-q" })),
    field("Role", el("select", { name: "role", id: "users-role" },
      ...["", "student", "instructor", "admin"].map((r) => el("option", { value: r,
        text: r || "any" })))),
    el("button", { type: "submit", text: "Search" })), async (fd) => {
    const q = new URLSearchParams();
    if (fd.get("q")) q.set("q", fd.get("q"));
    if (fd.get("role")) q.set("role", fd.get("role"));
    query = q.toString() ? "&" + q.toString() : "";
    cursor = null;
    tbody.replaceChildren();
    await page();
  });
  more.addEventListener("click", () => page().catch((e) => setStatus(e.message, true)));
  main().replaceChildren(el("h1", { text: "Accounts" }), search,
    el("table", { class: "list", id: "users" }, el("caption", { class: "sr-only",
      text: "Accounts" }), el("thead", {}, el("tr", {}, ...["User", "Name", "Role", "Created",
      "State", ""].map((h) => el("th", { scope: "col", text: h })))), tbody), more);
  return page();
}

async function viewProblemAdmin(slug) {
  document.title = "Staff: " + slug + " · Gavel";
  if (!token()) return needSignIn();
  const out = el("section", { id: "staff-result", "aria-live": "polite" });
  const verify = el("button", { type: "button", id: "verify", text: "Verify again" });
  verify.addEventListener("click", () => runVerify(slug, out)
    .catch((e) => setStatus(e.message, true)));
  const rejudge = el("button", { type: "button", class: "secondary", id: "rejudge",
    text: "Rejudge every submission" });
  rejudge.addEventListener("click", () => {
    if (!confirm("Rejudge every submission to " + slug + "?")) return;
    api("POST", "/problems/" + encodeURIComponent(slug) + "/rejudge")
      .then(() => setStatus("Rejudging.")).catch((e) => setStatus(e.message, true));
  });
  main().replaceChildren(el("h1", { text: "Staff: " + slug }),
    el("p", {}, el("a", { href: "/problems/" + encodeURIComponent(slug), text: "Statement" }),
      " · ", el("a", { href: "/api/v1/problems/" + encodeURIComponent(slug) + "/package",
        text: "Package export (needs the token: use the API)" })),
    el("p", {}, verify, " ", rejudge), out);
  try {
    const rep = await api("GET", "/problems/" + encodeURIComponent(slug) + "/verify");
    out.replaceChildren(verifyReport(rep));
  } catch (e) {
    out.replaceChildren(el("p", { class: "muted", text: "No verification yet." }));
  }
}

/* --- start --- */

async function viewHome() {
  if (!token()) {
    document.title = "Gavel";
    main().replaceChildren(el("h1", { text: "Gavel" }),
      el("p", {}, "Solve problems, take part in contests, watch the scoreboard. ",
        el("a", { href: "/login", text: "Sign in" }), " or ",
        el("a", { href: "/register", text: "register" }), ", or see the ",
        el("a", { href: "/contests", text: "contests" }), "."));
    return;
  }
  return viewProblems();
}

const ROUTES = [
  [/^\/$/, viewHome],
  [/^\/login$/, viewLogin],
  [/^\/register$/, viewRegister],
  [/^\/problems$/, viewProblems],
  [/^\/problems\/([^/]+)$/, viewProblem],
  [/^\/submissions$/, viewSubmissions],
  [/^\/submissions\/(\d+)$/, viewSubmission],
  [/^\/runs$/, viewRuns],
  [/^\/contests$/, viewContests],
  [/^\/contests\/new$/, viewContestNew],
  [/^\/contests\/([^/]+)$/, viewContest],
  [/^\/staff$/, viewStaff],
  [/^\/staff\/users$/, viewUsers],
  [/^\/staff\/problems\/([^/]+)$/, viewProblemAdmin],
];

async function start() {
  document.getElementById("signout").addEventListener("click", async () => {
    try {
      await api("DELETE", "/sessions/current");
    } catch (e) {
      /* signed out here either way */
    }
    forget();
    go("/");
  });
  drawWho();
  const path = location.pathname.replace(/\/+$/, "") || "/";
  for (const [re, view] of ROUTES) {
    const m = re.exec(path);
    if (!m) continue;
    try {
      await view(...m.slice(1).map(decodeURIComponent));
    } catch (e) {
      if (e.status === 401) return needSignIn();
      main().replaceChildren(el("h1", { text: e.status === 404 ? "Not found" : "Error" }),
        el("p", { class: "error", text: e.message }));
    }
    return;
  }
  main().replaceChildren(el("h1", { text: "Page not found" }));
}

start();
