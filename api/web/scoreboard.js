/* The scoreboard of one contest at /scoreboard/{slug}: opens directly (a projector needs no
 * sign-in for a public contest), fills its first screen from the first page of the leaderboard,
 * loads the next pages as the viewer scrolls towards them, and keeps itself current without
 * reloading: the top page every few seconds, the other loaded pages in turn. First solves are
 * marked among the rows loaded (the API does not flag them). Every name and label is set as text only.
 *
 * ICPC: solved, penalty, and per problem "+" (tries before the AC) with the minute, "−" tries
 * for a rejected one, "?" for submissions not shown yet (judging, or sent during a freeze); the
 * first solve of each problem is marked. IOI: the total and each problem's score. */
"use strict";

const PAGE = 200; /* rows per leaderboard request (the route's largest page) */
const MAX_PAGES = 100; /* 20,000 rows at most on one screen */
const POLL_MS = 5000; /* the top page */
const CONTEST_MS = 60000; /* the contest itself (times, freeze) */

const slug = decodeURIComponent(location.pathname.split("/")[2] || "");
let contest = null;
let frozen = false;
let skew = 0; /* the server's clock minus ours, from the Date header */
const pages = []; /* pages[k]: the rows of page k as the API gave them */
const rowsEl = () => document.getElementById("rows");

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

async function get(path) {
  const headers = {};
  const t = localStorage.getItem("gavel.token") || sessionStorage.getItem("gavel.token");
  if (t) headers.Authorization = "Bearer " + t;
  const resp = await fetch("/api/v1" + path, { headers });
  const date = resp.headers.get("Date");
  if (date) skew = Date.parse(date) - Date.now();
  const body = await resp.json().catch(() => null);
  if (!resp.ok) {
    const err = new Error((body && body.error && body.error.message) || "HTTP " + resp.status);
    err.status = resp.status;
    throw err;
  }
  return body;
}

function say(text) {
  document.getElementById("state").textContent = text;
}

function fmtDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return (h ? h + ":" : "") + String(m).padStart(2, "0") + ":" + String(sec).padStart(2, "0");
}

function tickClock() {
  if (!contest) return;
  const now = Date.now() + skew;
  const start = Date.parse(contest.starts_at), end = Date.parse(contest.ends_at);
  let text;
  if (now < start) text = "Starts in " + fmtDuration(start - now);
  else if (now < end) text = "Ends in " + fmtDuration(end - now);
  else text = "Ended";
  document.getElementById("clock").textContent = text;
}

function labels() {
  return (contest.problems || []).map((p) => p.label);
}

function drawHead() {
  const icpc = contest.scoring === "icpc";
  const head = document.getElementById("head");
  const cols = [["#", "Rank"], ["Name", null]].concat(icpc ?
    [["Solved", null], ["Penalty", "Penalty minutes"]] : [["Score", null]]);
  head.replaceChildren(...cols.map(([t, title]) => el("th", { scope: "col", title }, t)),
    ...(contest.problems || []).map((p) => el("th", { scope: "col", title: p.title || p.problem },
      p.label)));
}

/* The first solve of each problem among the rows loaded: the least minute of a solved cell. */
function firstSolves() {
  const first = {};
  for (const page of pages) {
    for (const r of page || []) {
      for (const [label, c] of Object.entries(r.problems || {})) {
        if (c.solved && c.time_min !== null && (first[label] === undefined ||
            c.time_min < first[label]))
          first[label] = c.time_min;
      }
    }
  }
  return first;
}

function cell(label, c, first, icpc) {
  if (!c) return el("td", { class: "cell", "data-problem": label });
  let cls = "cell", main = "", sub = null, title;
  if (icpc) {
    if (c.solved) {
      const first_ = first[label] === c.time_min;
      cls += first_ ? " solved first" : " solved";
      main = "+" + (c.attempts > 1 ? c.attempts - 1 : "");
      sub = c.time_min === null ? null : String(c.time_min);
      title = (first_ ? "first to solve, " : "solved, ") + "minute " + c.time_min + ", " +
        c.attempts + " tries";
    } else if (c.pending) {
      cls += " pending";
      main = "?";
      sub = c.attempts + "+" + c.pending;
      title = c.attempts + " rejected, " + c.pending + " not shown yet";
    } else {
      cls += " failed";
      main = "−" + c.attempts;
      title = c.attempts + " rejected tries";
    }
    if (c.solved && c.pending) title += ", " + c.pending + " more not shown yet";
  } else {
    const s = Math.round(c.score * 100) / 100;
    cls += c.pending ? " pending" : c.score > 0 ? " solved" : " failed";
    main = c.pending && !c.attempts ? "?" : String(s);
    sub = c.pending ? c.pending + " pending" : null;
    title = "score " + s + (c.pending ? ", " + c.pending + " not shown yet" : "");
  }
  return el("td", { class: cls, "data-problem": label, title },
    main, sub === null ? null : el("small", { text: sub }));
}

function rowEl(r, first, icpc) {
  const tr = el("tr", { "data-user": r.username },
    el("td", { text: r.rank }),
    el("td", { class: "name", title: r.username, text: r.display_name || r.username }));
  if (icpc) tr.append(el("td", { text: r.solved }), el("td", { text: r.penalty }));
  else tr.append(el("td", { text: Math.round(r.score * 100) / 100 }));
  for (const label of labels()) tr.append(cell(label, (r.problems || {})[label], first, icpc));
  return tr;
}

/* Draws page k again in place; rows whose standing changed flash once. */
function drawPage(k, old) {
  const icpc = contest.scoring === "icpc";
  const first = firstSolves();
  const tbody = rowsEl();
  const before = new Map((old || []).map((r) => [r.username, JSON.stringify(r)]));
  const fresh = pages[k].map((r) => {
    const tr = rowEl(r, first, icpc);
    if (old && before.get(r.username) !== JSON.stringify(r)) tr.classList.add("flash");
    return tr;
  });
  const start = k * PAGE;
  const oldCount = old ? old.length : 0;
  const anchor = tbody.children[start + oldCount] || null;
  for (let i = 0; i < oldCount && tbody.children[start]; i++)
    tbody.children[start].remove();
  for (const tr of fresh) tbody.insertBefore(tr, anchor);
}

async function loadPage(k) {
  const lb = await get("/contests/" + encodeURIComponent(slug) + "/leaderboard?limit=" + PAGE +
    "&offset=" + k * PAGE);
  frozen = lb.frozen;
  const old = pages[k];
  pages[k] = lb.rows;
  drawPage(k, old);
  return lb.rows.length;
}

function drawState() {
  const n = pages.reduce((a, p) => a + (p ? p.length : 0), 0);
  say((frozen ? "Frozen: submissions after the freeze show as ?. " : "") + n +
    (n === 1 ? " participant" : " participants") + " · updated " +
    new Date(Date.now() + skew).toLocaleTimeString());
}

async function loadContest() {
  contest = await get("/contests/" + encodeURIComponent(slug));
  document.getElementById("title").textContent = contest.title;
  document.title = contest.title + " · Scoreboard";
  document.getElementById("caption").textContent = "Standings of " + contest.title;
  drawHead();
}

let nextRest = 1; /* the next page after the first to refresh */

async function poll() {
  try {
    if (!document.hidden) {
      await loadPage(0);
      /* One more page per round, in turn, so every row is current within a few rounds. */
      if (pages.length > 1) {
        if (nextRest >= pages.length) nextRest = 1;
        await loadPage(nextRest++);
      }
      drawState();
    }
  } catch (e) {
    say("Cannot reach the server (" + e.message + "); trying again.");
  }
  setTimeout(poll, POLL_MS);
}

async function start() {
  if (!slug) {
    say("No contest in the address.");
    return;
  }
  try {
    await loadContest();
  } catch (e) {
    say(e.status === 404 || e.status === 401 ?
      "No such contest, or it is private: sign in on this browser first." : e.message);
    return;
  }
  tickClock();
  setInterval(tickClock, 1000);
  setInterval(() => loadContest().then(() => {
    for (let k = 0; k < pages.length; k++) drawPage(k, pages[k]);
  }).catch(() => {}), CONTEST_MS);
  const n = await loadPage(0);
  drawState();
  performance.mark("scoreboard-first-screen"); /* read by tests/bench/scoreboard_bench.py */
  setTimeout(poll, POLL_MS);
  if (n === PAGE) loadMoreWhenSeen();
}

/* The pages after the first are loaded as the viewer scrolls towards them (a projector showing
 * the top asks for one page per round, not the whole contest). */
function loadMoreWhenSeen() {
  const more = document.getElementById("more");
  let busy = false;
  more.textContent = "More rows load as you scroll.";
  const seen = new IntersectionObserver(async (entries) => {
    if (busy || !entries.some((e) => e.isIntersecting)) return;
    busy = true;
    try {
      while (pages.length < MAX_PAGES && pages[pages.length - 1].length === PAGE) {
        await loadPage(pages.length);
        drawState();
        const r = more.getBoundingClientRect();
        if (r.top > 2 * window.innerHeight) break; /* the next one when it comes closer */
      }
      if (pages[pages.length - 1].length < PAGE) {
        seen.disconnect();
        more.textContent = "";
        performance.mark("scoreboard-all-rows");
      } else if (pages.length >= MAX_PAGES) {
        seen.disconnect();
        more.textContent = "Only the first " + MAX_PAGES * PAGE + " rows are shown.";
      }
    } catch (e) {
      say("Cannot reach the server (" + e.message + "); trying again.");
    } finally {
      busy = false;
    }
  }, { rootMargin: "100% 0px" });
  seen.observe(more);
}

start();
