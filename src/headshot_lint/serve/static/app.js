// headshot-lint serve: upload photos, render the verdicts. Text goes in with textContent only.
(function () {
  "use strict";
  var results = document.getElementById("results");
  var drop = document.getElementById("drop");
  var input = document.getElementById("files");
  var backdrop = document.getElementById("backdrop");
  var maxBytes = 0;
  var queue = [];
  var running = 0;
  var PARALLEL = 2;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmt(v) {
    if (v === null || v === undefined || isNaN(v)) return "–";
    if (Number.isInteger(v)) return String(v);
    var a = Math.abs(v);
    return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
  }
  // A value with its unit as people read it: fractions as percent, "1 face" not "1 faces".
  function qty(v, unit) {
    if (v === null || v === undefined) return "–";
    if (unit === "fraction") return fmt(Math.round(v * 1000) / 10) + "%";
    if (v === 1 && /^[a-z]+s$/.test(unit)) unit = unit.slice(0, -1);
    return fmt(v) + (unit ? " " + unit : "");
  }
  function bound(v, unit) { return unit === "fraction" ? fmt(Math.round(v * 1000) / 10) + "%" : fmt(v); }
  // The mildest threshold: what it takes to pass (a rule with a warning and an error passes below the warning).
  function passAt(row) {
    var t = ["info", "warning", "error"].filter(function (k) { return row.thresholds[k] !== null; })[0];
    return t ? row.thresholds[t] : null;
  }
  // Value and threshold as printed side by side: decimals added to both until they differ, so
  // rounding never shows them equal or inverted (1.148 against 1.15: "1.148" and "1.150").
  function apart(v, t, unit) {
    var q = qty(v, unit), b = bound(t, unit);
    if (v === null || t === null || v === t) return [q, b];
    var k = unit === "fraction" ? 100 : 1, sfx = unit === "fraction" ? "%" : "";
    for (var d = 1; d <= 6 && parseFloat(q) === parseFloat(b); d++) {
      var vs = (v * k).toFixed(d), ts = (t * k).toFixed(d);
      if (vs !== ts) { q = vs + sfx + (unit && unit !== "fraction" ? " " + unit : ""); b = ts + sfx; }
    }
    return [q, b];
  }
  function names(list) {  // ["JPEG", "PNG", "HEIC"] -> "JPEG, PNG or HEIC"
    return list.length < 2 ? list.join("") : list.slice(0, -1).join(", ") + " or " + list[list.length - 1];
  }
  function mb(n) { return (n / 1048576).toFixed(n < 10485760 ? 1 : 0) + " MB"; }

  fetch("/api/health").then(function (r) { return r.json(); }).then(function (h) {
    maxBytes = h.max_upload_bytes || 0;
    document.getElementById("version").textContent = h.version || "";
    document.getElementById("limit").textContent =
      names(h.formats || ["JPEG", "PNG", "WebP", "TIFF"]) + ", up to " + mb(maxBytes) + " each; one or several at a time.";
  }).catch(function () {});

  function add(files) {
    for (var i = 0; i < files.length; i++) {
      var card = el("article", "card pending");
      var head = el("div", "card-head");
      head.appendChild(el("h2", "name", files[i].name || "photo"));
      card.appendChild(head);
      card.appendChild(el("p", "busy", "Analysing…"));
      results.insertBefore(card, results.firstChild);
      queue.push({file: files[i], card: card});
    }
    pump();
  }

  function pump() {
    while (running < PARALLEL && queue.length) {
      var job = queue.shift();
      running++;
      check(job).then(function () { running--; pump(); });
    }
  }

  function fail(card, name, message) {
    card.className = "card failed";
    card.textContent = "";
    var head = el("div", "card-head");
    head.appendChild(el("h2", "name", name));
    card.appendChild(head);
    card.appendChild(el("p", "error", message));
  }

  function check(job) {
    var file = job.file, card = job.card;
    if (maxBytes && file.size > maxBytes) {
      fail(card, file.name, "The photo is too large (" + mb(file.size) + "): this server accepts up to " +
           mb(maxBytes) + " per photo (start it with --max-upload-mb to change the limit).");
      return Promise.resolve();
    }
    var t0 = performance.now();
    return fetch("/api/check?name=" + encodeURIComponent(file.name), {method: "POST", body: file})
      .then(function (r) {
        return r.json().catch(function () { return {error: "the server answered " + r.status}; });
      })
      .then(function (data) {
        if (data.error) { fail(card, file.name, data.error); return; }
        render(card, data, file);
        card.dataset.ms = String(Math.round(performance.now() - t0));
      })
      .catch(function (e) { fail(card, file.name, "Upload failed: " + (e && e.message || e)); });
  }

  // What it takes to pass, in the words of the reports' detail lines ("passes below 1.1%").
  function limitText(row, shown) {
    var t = passAt(row);
    if (t === null) return "";
    return "passes " + (row.direction === "higher-is-worse" ? "below " : "above ") + shown;
  }
  function threshText(row) {
    var op = row.direction === "higher-is-worse" ? "≥ " : "≤ ";
    var parts = [];
    ["info", "warning", "error"].forEach(function (k) {
      if (row.thresholds[k] !== null) parts.push(k + " " + op + bound(row.thresholds[k], row.unit));
    });
    return parts.join(", ");
  }

  function render(card, d, file) {
    card.className = "card done verdict-" + d.verdict;
    card.textContent = "";
    var head = el("div", "card-head");
    head.appendChild(el("h2", "name", d.name));
    var score = el("div", "score " + d.verdict);
    // rounded down, as every report words it ("85/100 fair"): 85.6 is fair, never "86/100 fair"
    score.appendChild(el("span", "score-num", d.score === null ? "–" : Math.floor(d.score)));
    score.appendChild(el("span", "score-of", "/100 " + d.verdict));
    head.appendChild(score);
    card.appendChild(head);
    if (d.problem) card.appendChild(el("p", "problem", d.problem.code + " " + d.problem.message));

    var body = el("div", "card-body");
    var left = el("div", "visual");
    var shot = el("div", "shot");
    var img = el("img", "photo");
    img.src = d.image;
    img.alt = "the uploaded photo with evidence regions";
    shot.appendChild(img);
    var boxes = {};
    d.rules.forEach(function (row) {
      boxes[row.code] = row.regions.map(function (g, k) {
        var b = el("div", "rg " + row.status);
        b.style.left = (g.x0 * 100) + "%";
        b.style.top = (g.y0 * 100) + "%";
        b.style.width = ((g.x1 - g.x0) * 100) + "%";
        b.style.height = ((g.y1 - g.y0) * 100) + "%";
        b.title = row.code + " " + row.rule + (g.label ? ": " + g.label : "");
        if (k === 0) b.appendChild(el("span", "tag", row.code));
        if (row.status === "pass" || row.status === "skipped") b.classList.add("off");
        shot.appendChild(b);
        return b;
      });
    });
    left.appendChild(shot);
    left.appendChild(el("p", "size", d.size[0] + " × " + d.size[1] + " px"));

    var prev = el("div", "previews");
    [["px32", "p32", "32 px circle"], ["px48", "p48", "48 px square"]].forEach(function (p) {
      var f = el("figure", "pv");
      var i = el("img", p[1]);
      i.src = d.previews[p[0]];
      i.alt = "how the face looks at " + p[2];
      f.appendChild(i);
      f.appendChild(el("figcaption", null, p[2]));
      prev.appendChild(f);
    });
    if (d.tone) {
      var t = el("figure", "pv tone");
      var sw = el("span", "swatch");
      sw.style.background = /^#[0-9A-Fa-f]{6}$/.test(d.tone.hex) ? d.tone.hex : "transparent";
      t.appendChild(sw);
      var cap = el("figcaption");
      cap.appendChild(el("span", "hex", d.tone.hex));
      cap.appendChild(el("span", "tone-name", " recommended background" + (d.tone.name ? " (" + d.tone.name + ")" : "")));
      if (d.tone.current) cap.appendChild(el("span", "tone-name", "background now " + d.tone.current));
      t.appendChild(cap);
      prev.appendChild(t);
    }
    left.appendChild(prev);
    body.appendChild(left);

    var right = el("div", "verdicts");
    var table = el("ul", "rules");
    var order = {error: 0, warning: 1, info: 2, pass: 3, skipped: 4};
    d.rules.slice().sort(function (a, b) { return order[a.status] - order[b.status]; }).forEach(function (row) {
      var li = el("li", "rule " + row.status);
      var line = el("div", "rule-line");
      line.setAttribute("role", "button");
      line.tabIndex = 0;
      line.setAttribute("aria-expanded", "false");
      line.appendChild(el("span", "badge " + row.status, row.status === "pass" ? "ok" : row.status));
      line.appendChild(el("span", "rule-name", row.code + " " + row.rule));
      var val = el("span", "rule-val");
      var shown = apart(row.value, passAt(row), row.unit);
      val.appendChild(el("span", "v", row.status === "skipped" ? "not judged" : shown[0]));
      val.appendChild(el("span", "lim", limitText(row, shown[1])));
      line.appendChild(val);
      li.appendChild(line);
      var bar = el("div", "bar");
      var fill = el("span", "fill " + row.status);
      fill.style.width = (row.score === null ? 0 : Math.max(2, row.score)) + "%";
      bar.appendChild(fill);
      li.appendChild(bar);
      if (row.message) li.appendChild(el("p", "msg", row.message));
      if (row.detail) li.appendChild(el("p", "msg detail", row.detail));
      if (row.reason) li.appendChild(el("p", "msg dim", "Not judged: " + row.reason));
      if (row.fix) li.appendChild(el("p", "fixline", "Fix" + (row.fix.safety === "retouch" ? " (retouching)" : "") + ": " + row.fix.title));
      var more = el("div", "explain");
      more.appendChild(el("p", "sum", row.summary));
      more.appendChild(el("p", "thr", "Measured " + (row.status === "skipped" ? "–" : qty(row.value, row.unit)) + "; thresholds: " + (threshText(row) || "none") +
        (row.score !== null ? "; quality " + Math.round(row.score) + "/100" : "")));
      more.appendChild(el("p", null, row.what));
      more.appendChild(el("p", null, row.why));
      li.appendChild(more);
      if (boxes[row.code].length) li.classList.add("has-regions");
      function toggle() {
        var on = !li.classList.contains("open");
        li.classList.toggle("open", on);
        line.setAttribute("aria-expanded", on ? "true" : "false");
        boxes[row.code].forEach(function (b) { b.classList.toggle("lit", on); });
      }
      line.addEventListener("click", toggle);
      line.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); }
      });
      table.appendChild(li);
    });
    right.appendChild(table);
    right.appendChild(fixBox(d, file));
    body.appendChild(right);
    card.appendChild(body);
  }

  function actionText(a) {
    return a.codes.join(", ") + (a.action ? " " + a.action : "") + ": " + a.title + (a.note ? " (" + a.note + ")" : "");
  }

  function fixBox(d, file) {
    var box = el("div", "fixes");
    box.appendChild(el("h3", null, "Corrected copy"));
    [["safe", "Download safe fixes", "Adjusts the photo (exposure); does not change what it shows."],
     ["retouch", "Download with retouching", "Replaces or blurs the background, or crops to one person: changes what the photo shows."]]
      .forEach(function (k) {
        var plan = d.fixes[k[0]];
        var row = el("div", "fix-row " + k[0]);
        var btn = el("button", "dl " + k[0], k[1]);
        btn.type = "button";
        btn.disabled = !plan.available;
        row.appendChild(btn);
        var info = el("div", "fix-info");
        info.appendChild(el("p", "dim", plan.available ? k[2] : (k[0] === "safe" ? "No safe fix needed." : "No retouching needed.")));
        plan.actions.forEach(function (a) { info.appendChild(el("p", "action", actionText(a))); });
        row.appendChild(info);
        var status = el("p", "fix-status");
        info.appendChild(status);
        btn.addEventListener("click", function () { download(file, k[0], btn, status, d.image); });
        box.appendChild(row);
      });
    if (d.fixes.advice.length) {
      var adv = el("div", "advice");
      adv.appendChild(el("p", "dim", "Advice (by hand):"));
      d.fixes.advice.forEach(function (a) { adv.appendChild(el("p", "action", actionText(a))); });
      box.appendChild(adv);
    }
    return box;
  }

  // The original (as the card shows it: a HEIC upload too) and the corrected copy side by
  // side, under the fix's status line.
  function beforeAfter(status, beforeUrl, afterUrl) {
    var old = status.parentNode.querySelector(".before-after");
    if (old) old.remove();
    var fig = el("div", "before-after");
    [["Before", beforeUrl], ["After", afterUrl]].forEach(function (p) {
      var f = el("figure");
      var img = el("img");
      img.src = p[1];
      img.alt = p[0] + " the fix";
      f.appendChild(img);
      f.appendChild(el("figcaption", "dim", p[0]));
      fig.appendChild(f);
    });
    status.parentNode.insertBefore(fig, status.nextSibling);
  }

  function download(file, mode, btn, status, shown) {
    btn.disabled = true;
    status.className = "fix-status";
    status.textContent = "Working… (full resolution, may take a few seconds)";
    var url = "/api/fix?mode=" + mode + "&backdrop=" + encodeURIComponent(backdrop.value) +
      "&name=" + encodeURIComponent(file.name);
    fetch(url, {method: "POST", body: file}).then(function (r) {
      if (!r.ok) return r.json().then(function (j) {
        var why = j.error || ("status " + r.status);
        if (j.kind === "refused" && j.attempts && j.attempts.length) {
          why += " (tried: " + j.attempts.map(function (a) { return a.attempt + ": " + (a.checks || a.face); }).join("; ") + ")";
        }
        throw new Error(why);
      });
      var cd = r.headers.get("content-disposition") || "";
      var m = /filename="([^"]+)"/.exec(cd);
      var note = r.headers.get("x-fix-note") || "";
      var score = r.headers.get("x-fix-score") || "";
      if (score) note += " Score " + score.replace("->", "\u2192") + ".";
      return r.blob().then(function (b) { return {blob: b, name: m ? m[1] : "photo-fixed.jpg", note: note}; });
    }).then(function (res) {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(res.blob);
      a.download = res.name;
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { a.remove(); }, 1000);
      status.textContent = "Downloaded " + res.name + "." + (res.note ? " " + res.note : "");
      beforeAfter(status, shown, a.href);
    }).catch(function (e) {
      status.className = "fix-status error";
      status.textContent = e.message || String(e);
    }).then(function () { btn.disabled = false; });
  }

  input.addEventListener("change", function () { add(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) { if (e.dataTransfer) add(e.dataTransfer.files); });
  drop.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") input.click(); });
  // A photo dropped outside the zone must not navigate away from the page.
  window.addEventListener("dragover", function (e) { e.preventDefault(); });
  window.addEventListener("drop", function (e) { e.preventDefault(); });
  document.getElementById("clear").addEventListener("click", function () { results.textContent = ""; });
})();
