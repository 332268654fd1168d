/**
 * The HTML report's inline client script. It reads the JSON blob in `#data`, renders one page of the
 * case table at a time and builds a case's details (and its word diff) only when it is expanded.
 *
 * Security invariant: every value from the report reaches the DOM through `textContent`, `value` or
 * `setAttribute` on a fixed attribute name — never `innerHTML`, never a URL, never an event handler.
 */
import { DIFF_OPS_SOURCE, loadDiffLibrary } from "./html-diff.js";

/** The whole inline script: jsdiff's browser build, then the client in its own scope. */
export function buildClientScript(): string {
  return `${loadDiffLibrary()}\n;(function (Diff) {\n"use strict";\n${DIFF_OPS_SOURCE}\n${HTML_CLIENT_SCRIPT}\n})(window.Diff);\n`;
}

/** The client's body; `Diff` (jsdiff) and `diffOps` are in scope. Plain ES2019, no backticks or `${` inside. */
export const HTML_CLIENT_SCRIPT = String.raw`
  var data = JSON.parse(document.getElementById("data").textContent);
  var cases = data.cases;
  var checks = data.checks;
  var PAGE_SIZE = 50;
  var state = { filter: "all", tag: "", check: "", query: "", page: 0 };
  var open = new Set();
  var haystacks = new Array(cases.length);
  var STATUS_ORDER = ["fail", "error", "pass", "skipped"];

  var tbody = document.getElementById("case-rows");
  var pageInfo = document.getElementById("page-info");
  var prev = document.getElementById("prev-page");
  var next = document.getElementById("next-page");
  var search = document.getElementById("search");
  var tagSelect = document.getElementById("tag-filter");
  var checkSelect = document.getElementById("check-filter");

  function h(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function add(parent, child) { parent.appendChild(child); return child; }
  function str(value) { return typeof value === "string" ? value : ""; }
  function arr(value) { return Array.isArray(value) ? value : []; }
  function obj(value) { return value !== null && typeof value === "object" && !Array.isArray(value) ? value : {}; }
  function own(object, key) { return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined; }
  function pretty(value) { try { return JSON.stringify(value, null, 2); } catch (e) { return String(value); } }
  function statusClass(status) { return STATUS_ORDER.indexOf(status) >= 0 || status === "missing" ? "st-" + status : "st-missing"; }
  function count(n) { return n.toLocaleString("en-US"); }
  function fmtMs(ms) { return typeof ms === "number" && isFinite(ms) ? Math.round(ms).toLocaleString("en-US") + " ms" : "—"; }
  function fmtUsd(v) {
    if (typeof v !== "number" || !isFinite(v)) return "—";
    return "$" + (Math.abs(v) >= 1 ? v.toFixed(2) : Number(v.toPrecision(3)).toString());
  }

  // A check's result on one side, folded over repeats the way the Markdown and JUnit reports do.
  function fold(runs, id) {
    var found = new Map();
    var draws = 0;
    arr(runs).forEach(function (run) {
      var result = own(obj(run.checks), id);
      if (!result) return;
      draws += 1;
      if (!found.has(result.status)) found.set(result.status, { result: result, count: 0 });
      found.get(result.status).count += 1;
    });
    for (var i = 0; i < STATUS_ORDER.length; i += 1) {
      var hit = found.get(STATUS_ORDER[i]);
      if (hit) return { status: STATUS_ORDER[i], reason: str(hit.result.reason), count: hit.count, draws: draws };
    }
    return { status: "missing", reason: "not scored", count: 0, draws: 0 };
  }

  var facts = cases.map(function (c) {
    var hasError = c.outcome === "error";
    var failing = new Set();
    var latency = { baseline: [], candidate: [] };
    ["baseline", "candidate"].forEach(function (side) {
      arr(c[side]).forEach(function (run) {
        if (run.error) hasError = true; else latency[side].push(run.latency_ms);
        var results = obj(run.checks);
        Object.keys(results).forEach(function (id) {
          var status = results[id] && results[id].status;
          if (status === "error") hasError = true;
          if (status === "fail" || status === "error") failing.add(id);
        });
      });
    });
    return { hasError: hasError, failing: failing, latency: latency };
  });

  function haystack(i) {
    if (haystacks[i] === undefined) {
      var c = cases[i];
      var parts = [str(c.id), arr(c.tags).join(" "), str(c.input)];
      arr(c.messages).forEach(function (m) { parts.push(str(m.content)); });
      ["baseline", "candidate"].forEach(function (side) {
        arr(c[side]).forEach(function (run) {
          parts.push(str(run.output));
          arr(run.tool_calls).forEach(function (call) { parts.push(str(call.name), pretty(call.arguments)); });
          var results = obj(run.checks);
          Object.keys(results).forEach(function (id) { parts.push(str(results[id] && results[id].reason)); });
        });
      });
      haystacks[i] = parts.join("\n").toLowerCase();
    }
    return haystacks[i];
  }

  function matches(i) {
    var c = cases[i];
    var f = facts[i];
    if (state.filter === "regressions" && c.outcome !== "regression") return false;
    if (state.filter === "improvements" && c.outcome !== "improvement") return false;
    if (state.filter === "errors" && !f.hasError) return false;
    if (state.tag !== "" && arr(c.tags).indexOf(state.tag) < 0) return false;
    if (state.check !== "" && !f.failing.has(state.check)) return false;
    if (state.query !== "" && haystack(i).indexOf(state.query) < 0) return false;
    return true;
  }

  function mean(values) {
    if (values.length === 0) return null;
    var sum = 0;
    values.forEach(function (v) { sum += v; });
    return sum / values.length;
  }

  function buildRow(i) {
    var c = cases[i];
    var tr = h("tr", "case-row outcome-" + str(c.outcome));
    tr.setAttribute("data-case-id", str(c.id));
    tr.setAttribute("data-outcome", str(c.outcome));
    tr.setAttribute("data-index", String(i));
    tr.setAttribute("aria-expanded", open.has(i) ? "true" : "false");
    tr.tabIndex = 0;

    var idCell = add(tr, h("td", "case-id"));
    add(idCell, h("span", "caret", "▸"));
    add(idCell, h("code", "", c.id));

    var outcomeCell = add(tr, h("td"));
    add(outcomeCell, h("span", "badge outcome-" + str(c.outcome), c.outcome));
    if (c.flaky) add(outcomeCell, h("span", "badge warn", "flaky"));

    var tagCell = add(tr, h("td"));
    var tags = arr(c.tags);
    tags.slice(0, 6).forEach(function (tag) { add(tagCell, h("span", "tag", tag)).title = String(tag); });
    if (tags.length > 6) add(tagCell, h("span", "muted", "+" + (tags.length - 6)));

    var checkCell = add(tr, h("td"));
    checks.forEach(function (check) {
      var b = fold(c.baseline, check.id);
      var k = fold(c.candidate, check.id);
      if (k.status === "skipped" && (b.status === "skipped" || b.status === "missing")) return;
      var chip = add(checkCell, h("span", "chip " + statusClass(k.status) + (b.status !== k.status ? " changed" : ""), check.id));
      chip.title = "baseline " + b.status + " → candidate " + k.status + (k.reason ? ": " + k.reason : "");
    });

    var f = facts[i];
    add(tr, h("td", "num", fmtMs(mean(f.latency.baseline)) + " → " + fmtMs(mean(f.latency.candidate))));
    return tr;
  }

  function renderDiff(pre, text, ops, side) {
    var pos = 0;
    for (var j = 0; j + 1 < ops.length; j += 2) {
      var op = ops[j];
      var len = ops[j + 1];
      if (op === 0) {
        pre.appendChild(document.createTextNode(text.slice(pos, pos + len)));
        pos += len;
      } else if (op === -1 && side === "baseline") {
        add(pre, h("del", "", text.slice(pos, pos + len)));
        pos += len;
      } else if (op === 1 && side === "candidate") {
        add(pre, h("ins", "", text.slice(pos, pos + len)));
        pos += len;
      }
    }
    if (pos < text.length) pre.appendChild(document.createTextNode(text.slice(pos)));
  }

  function renderSide(container, side, run, ops) {
    var col = add(container, h("div", "side side-" + side));
    add(col, h("h4", "", (side === "baseline" ? "Baseline · " : "Candidate · ") + str(data.variants[side])));
    if (!run) { add(col, h("p", "muted", "No result for this repeat.")); return; }
    var usage = run.usage ? run.usage.input_tokens + " in / " + run.usage.output_tokens + " out tokens" : "usage unknown";
    add(col, h("div", "run-meta", [fmtMs(run.latency_ms), usage, fmtUsd(run.cost_usd),
      run.attempts + (run.attempts === 1 ? " attempt" : " attempts"), run.cached ? "reused" : "live"].join(" · ")));
    if (run.error) {
      add(col, h("div", "req-error", "Request failed: " + str(run.error.kind) + (run.error.status ? " (" + run.error.status + ")" : "") + ": " + str(run.error.message)));
    }
    if (typeof run.output === "string" && run.output !== "") {
      var pre = add(col, h("pre", "output"));
      if (Array.isArray(ops)) renderDiff(pre, run.output, ops, side); else pre.textContent = run.output;
    } else if (!run.error) {
      add(col, h("p", "muted", run.output === "" ? "(empty text output)" : "(no text output)"));
    }
    if (arr(run.tool_calls).length > 0) {
      add(col, h("h5", "", "Tool calls"));
      add(col, h("pre", "json", pretty(run.tool_calls)));
    }
  }

  function shortJson(value) {
    var text = value === undefined ? "∅" : pretty(value).replace(/\s*\n\s*/g, " ");
    return text.length > 200 ? text.slice(0, 199) + "…" : text;
  }
  function renderChange(list, change) {
    var li = add(list, h("li", "change change-" + str(change.kind)));
    add(li, h("code", "path", str(change.path) || "(value)"));
    li.appendChild(document.createTextNode(": "));
    if (change.kind === "added") {
      li.appendChild(document.createTextNode("+ "));
      add(li, h("ins", "", shortJson(change.after)));
    } else if (change.kind === "removed") {
      add(li, h("del", "", shortJson(change.before)));
      li.appendChild(document.createTextNode(" (removed)"));
    } else {
      add(li, h("del", "", shortJson(change.before)));
      li.appendChild(document.createTextNode(" → "));
      add(li, h("ins", "", shortJson(change.after)));
    }
  }
  // Tool calls call by call (name, then each argument by path; call ids ignored) and JSON key by key.
  function renderChanges(box, diff) {
    var calls = arr(diff.tool_calls);
    if (calls.length > 0) {
      var block = add(box, h("div", "changes tool-call-diff"));
      add(block, h("h5", "", "Tool calls, baseline → candidate (call ids ignored)"));
      var list = add(block, h("ul"));
      calls.forEach(function (call) {
        var li = add(list, h("li", "call call-" + str(call.kind)));
        add(li, h(call.kind === "added" ? "ins" : call.kind === "removed" ? "del" : "code", "call-name", str(call.name)));
        if (call.kind === "same") add(li, h("span", "same", " — same call, same arguments"));
        else if (call.kind === "added") li.appendChild(document.createTextNode(" — only the candidate makes this call"));
        else if (call.kind === "removed") li.appendChild(document.createTextNode(" — only the baseline makes this call"));
        else {
          if (call.before_name) {
            li.appendChild(document.createTextNode(" — the baseline called "));
            add(li, h("del", "", str(call.before_name)));
          }
          var args = arr(call.arguments);
          if (args.length > 0) {
            var sub = add(li, h("ul", "arg-changes"));
            args.forEach(function (change) { renderChange(sub, change); });
          }
        }
      });
    }
    if (Array.isArray(diff.json)) {
      var json = add(box, h("div", "changes json-diff"));
      add(json, h("h5", "", "JSON output, key by key (parsed: formatting ignored)"));
      if (diff.json.length === 0) add(json, h("p", "same", "Same JSON value on both sides; only the formatting differs."));
      else {
        var keys = add(json, h("ul"));
        diff.json.forEach(function (change) { renderChange(keys, change); });
      }
    }
  }

  function renderMessage(container, role, content, extra) {
    var box = add(container, h("div", "msg role-" + (["system", "user", "assistant", "tool"].indexOf(role) >= 0 ? role : "other")));
    add(box, h("div", "role", role + (extra ? " · " + extra : "")));
    if (content !== "") add(box, h("pre", "", content));
    return box;
  }

  function buildDetail(i) {
    var c = cases[i];
    var tr = h("tr", "detail-row");
    var td = add(tr, h("td"));
    td.colSpan = 5;
    var box = add(td, h("div", "case-detail"));
    box.setAttribute("data-case-id", str(c.id));

    var title = add(box, h("h3"));
    add(title, h("code", "", c.id));
    title.appendChild(document.createTextNode(" "));
    add(title, h("span", "badge outcome-" + str(c.outcome), c.outcome));
    if (c.traffic && typeof c.traffic === "object") {
      // A production request (SPEC §9): where and when it was captured, and the tags it carries.
      var origin = ["captured " + str(c.traffic.ts)];
      if (c.traffic.source) origin.push("from " + str(c.traffic.source));
      if (arr(c.tags).length > 0) origin.push("tags " + arr(c.tags).join(", "));
      add(box, h("p", "traffic-origin muted", "Traffic: " + origin.join(" · ")));
    }

    add(box, h("h5", "", "Conversation"));
    if (Array.isArray(c.messages) && c.messages.length > 0) {
      c.messages.forEach(function (m) {
        var extra = [str(m.name), m.tool_call_id ? "answers " + str(m.tool_call_id) : ""].filter(Boolean).join(" · ");
        var msg = renderMessage(box, str(m.role), str(m.content), extra);
        if (arr(m.tool_calls).length > 0) add(msg, h("pre", "json", pretty(m.tool_calls)));
      });
    } else if (typeof c.input === "string") {
      renderMessage(box, "user", c.input, "");
    } else {
      add(box, h("p", "muted", "No input recorded."));
    }

    if (c.expected && Object.keys(c.expected).length > 0) {
      var expected = add(box, h("details", "expected"));
      add(expected, h("summary", "", "Expected"));
      var e = c.expected;
      if (typeof e.output === "string") { add(expected, h("h5", "", "Output")); add(expected, h("pre", "output", e.output)); }
      if (Array.isArray(e.tool_calls)) { add(expected, h("h5", "", "Tool calls")); add(expected, h("pre", "json", pretty(e.tool_calls))); }
      if (e.schema) { add(expected, h("h5", "", "Schema" + (e.schema_path ? " · " + str(e.schema_path) : ""))); add(expected, h("pre", "json", pretty(e.schema))); }
    }

    var repeats = Math.max(arr(c.baseline).length, arr(c.candidate).length);
    for (var r = 0; r < repeats; r += 1) {
      if (repeats > 1) add(box, h("h5", "", "Repeat " + (r + 1) + " of " + repeats));
      var baselineRun = arr(c.baseline)[r];
      var candidateRun = arr(c.candidate)[r];
      var drawDiff = obj(arr(data.diffs[i])[r]);
      // Parsed JSON on both sides is diffed key by key below; a word diff would light up reformatting.
      var asJson = Array.isArray(drawDiff.json);
      var comparable = !asJson && baselineRun && candidateRun && typeof baselineRun.output === "string" && typeof candidateRun.output === "string";
      var ops = null;
      renderChanges(box, drawDiff);
      if (comparable && Diff) {
        try { ops = diffOps(Diff, baselineRun.output, candidateRun.output); } catch (error) { ops = null; }
      }
      var sbs = add(box, h("div", "sbs"));
      renderSide(sbs, "baseline", baselineRun, ops);
      renderSide(sbs, "candidate", candidateRun, ops);
      var changed = ops !== null && ops.some(function (value, index) { return index % 2 === 0 && value !== 0; });
      if (changed) {
        var note = add(box, h("p", "diff-note", "Word diff: "));
        add(note, h("del", "", "only in baseline"));
        note.appendChild(document.createTextNode(" · "));
        add(note, h("ins", "", "only in candidate"));
      } else if (comparable && ops === null) {
        add(box, h("p", "diff-note", "No word diff: the outputs are too long or too different to diff quickly."));
      }
    }

    add(box, h("h5", "", "Checks"));
    var table = add(box, h("table", "checks"));
    var head = add(add(table, h("thead")), h("tr"));
    ["check", "baseline", "candidate"].forEach(function (label) { add(head, h("th", "", label)); });
    var body = add(table, h("tbody"));
    checks.forEach(function (check) {
      var b = fold(c.baseline, check.id);
      var k = fold(c.candidate, check.id);
      var row = add(body, h("tr", b.status !== k.status ? "changed" : ""));
      var name = add(row, h("td"));
      add(name, h("code", "", check.id));
      add(name, h("div", "muted", str(check.type) + " · " + str(check.category)));
      ["baseline", "candidate"].forEach(function (side) {
        var cell = add(row, h("td"));
        var runs = arr(c[side]);
        if (runs.length === 0) { add(cell, h("span", "badge missing", "not run")); return; }
        runs.forEach(function (run, index) {
          var result = own(obj(run.checks), check.id);
          var status = result ? str(result.status) : "missing";
          var line = add(cell, h("div"));
          add(line, h("span", "badge " + (STATUS_ORDER.indexOf(status) >= 0 ? status : "missing"), (runs.length > 1 ? "#" + (index + 1) + " " : "") + status));
          if (result && typeof result.score === "number") line.appendChild(document.createTextNode(" score " + result.score.toFixed(2)));
          if (result && result.pairwise) line.appendChild(document.createTextNode(" · pairwise " + str(result.pairwise)));
          if (result && result.reason) add(line, h("span", "reason", result.reason));
        });
      });
    });

    if (c.metadata !== undefined && c.metadata !== null) {
      add(box, h("h5", "", "Metadata"));
      add(box, h("pre", "json", pretty(c.metadata)));
    }
    return tr;
  }

  function toggle(row) {
    var i = Number(row.getAttribute("data-index"));
    var following = row.nextElementSibling;
    if (open.has(i)) {
      open.delete(i);
      row.setAttribute("aria-expanded", "false");
      if (following && following.classList.contains("detail-row")) following.remove();
    } else {
      open.add(i);
      row.setAttribute("aria-expanded", "true");
      row.after(buildDetail(i));
    }
  }

  function render() {
    var visible = [];
    for (var i = 0; i < cases.length; i += 1) if (matches(i)) visible.push(i);
    var pages = Math.max(1, Math.ceil(visible.length / PAGE_SIZE));
    if (state.page >= pages) state.page = pages - 1;
    var start = state.page * PAGE_SIZE;
    var fragment = document.createDocumentFragment();
    visible.slice(start, start + PAGE_SIZE).forEach(function (index) {
      fragment.appendChild(buildRow(index));
      if (open.has(index)) fragment.appendChild(buildDetail(index));
    });
    if (visible.length === 0) {
      var empty = h("tr", "empty-row");
      var cell = add(empty, h("td", "empty", "No cases match these filters."));
      cell.colSpan = 5;
      fragment.appendChild(empty);
    }
    tbody.replaceChildren(fragment);
    pageInfo.textContent = visible.length === 0
      ? "0 of " + count(cases.length) + " cases"
      : count(start + 1) + "–" + count(Math.min(start + PAGE_SIZE, visible.length)) + " of " + count(visible.length) +
        (visible.length === cases.length ? " cases" : " matching (" + count(cases.length) + " cases)");
    prev.disabled = state.page === 0;
    next.disabled = state.page >= pages - 1;
  }

  function fillSelect(select, entries) {
    entries.forEach(function (entry) {
      var option = h("option", "", entry.label);
      option.value = entry.value;
      select.appendChild(option);
    });
  }

  var tagCounts = new Map();
  cases.forEach(function (c) { arr(c.tags).forEach(function (tag) { tagCounts.set(tag, (tagCounts.get(tag) || 0) + 1); }); });
  fillSelect(tagSelect, Array.from(tagCounts.keys()).sort().map(function (tag) {
    return { value: String(tag), label: tag + " (" + tagCounts.get(tag) + ")" };
  }));
  fillSelect(checkSelect, checks.map(function (check) {
    var count = 0;
    facts.forEach(function (f) { if (f.failing.has(check.id)) count += 1; });
    return { value: String(check.id), label: check.id + " (" + count + ")" };
  }));

  document.querySelectorAll("[data-filter]").forEach(function (button) {
    button.addEventListener("click", function () {
      state.filter = button.getAttribute("data-filter") || "all";
      state.page = 0;
      document.querySelectorAll("[data-filter]").forEach(function (other) {
        other.setAttribute("aria-pressed", other === button ? "true" : "false");
      });
      render();
    });
  });
  tagSelect.addEventListener("change", function () { state.tag = tagSelect.value; state.page = 0; render(); });

  // The segment filter narrows the segment table to a kind of tag or one segment; one segment also
  // filters the case table to its cases.
  var segmentSelect = document.getElementById("segment-filter");
  function applySegment(value) {
    var kind = value.slice(0, value.indexOf(":") + 1);
    var rest = value.slice(kind.length);
    var tag = kind === "tag:" ? str(arr(data.segments)[Number(rest)]) : "";
    document.querySelectorAll("#segment-table tr.segment-row").forEach(function (row) {
      var show = value === "" || (kind === "key:" && row.getAttribute("data-key") === rest) || (kind === "tag:" && row.getAttribute("data-segment") === rest);
      row.hidden = !show;
      row.classList.toggle("selected", kind === "tag:" && show);
    });
    if (tag !== "" && tagCounts.has(tag)) { tagSelect.value = tag; state.tag = tag; state.page = 0; render(); }
    else if (value === "" && state.tag !== "") { tagSelect.value = ""; state.tag = ""; state.page = 0; render(); }
  }
  if (segmentSelect) {
    segmentSelect.addEventListener("change", function () { applySegment(segmentSelect.value); });
    document.querySelectorAll("#segment-table .seg-link").forEach(function (button) {
      button.addEventListener("click", function () {
        segmentSelect.value = "tag:" + (button.getAttribute("data-segment") || "");
        applySegment(segmentSelect.value);
        document.getElementById("cases").scrollIntoView();
      });
    });
  }
  checkSelect.addEventListener("change", function () { state.check = checkSelect.value; state.page = 0; render(); });
  var timer = 0;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { state.query = search.value.trim().toLowerCase(); state.page = 0; render(); }, 120);
  });
  prev.addEventListener("click", function () { if (state.page > 0) { state.page -= 1; render(); } });
  next.addEventListener("click", function () { state.page += 1; render(); });
  tbody.addEventListener("click", function (event) {
    var row = event.target.closest("tr.case-row");
    if (!row) return;
    var selection = window.getSelection ? String(window.getSelection()) : "";
    if (selection !== "") return;
    toggle(row);
  });
  tbody.addEventListener("keydown", function (event) {
    var row = event.target.closest && event.target.closest("tr.case-row");
    if (!row || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault();
    toggle(row);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement !== search) { event.preventDefault(); search.focus(); }
  });
  render();
`;
