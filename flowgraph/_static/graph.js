/* flowgraph interactive graph. Every text from the data goes through textContent or
   createTextNode; nothing from the data is ever parsed as HTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("fg-data").textContent);

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function safeHref(url) {
    if (typeof url !== "string") { return null; }
    try {
      var u = new URL(url);
      if (u.protocol === "http:" || u.protocol === "https:") { return u.href; }
    } catch (err) { /* not a URL */ }
    return null;
  }
  function link(url, text) {
    var href = safeHref(url);
    if (!href) { return el("span", null, text || url || ""); }
    var a = el("a", null, text || href);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }
  function row(dl, label, value) {
    if (value === undefined || value === null || value === "") { return; }
    dl.appendChild(el("dt", null, label));
    var dd = el("dd");
    if (value instanceof Node) { dd.appendChild(value); } else { dd.textContent = String(value); }
    dl.appendChild(dd);
  }
  function pct(x) { return (Math.round(x * 1000) / 10).toFixed(1) + "%"; }
  function label(s) { return String(s).replace(/_/g, " "); }

  /* ---------------- rich content for companies and deals ---------------- */
  function companyBox(info, withLinks) {
    var box = el("div", "fg-tip");
    box.appendChild(el("div", "fg-tip-title", info.name));
    var dl = el("dl");
    row(dl, "Kind", label(info.kind) + (info.ticker ? " (" + info.ticker + ")" : ""));
    row(dl, "Country", info.country);
    row(dl, "Money in", info.inflow + " known");
    row(dl, "Money out", info.outflow + " known");
    if (info.unknown) { row(dl, "Unknown amounts", info.unknown + " deal(s), not counted"); }
    if (info.cycles !== null && info.cycles !== undefined) { row(dl, "Cycles through it", info.cycles); }
    if (info.self_funded !== null && info.self_funded !== undefined) {
      row(dl, "Self-funded share", pct(info.self_funded));
    }
    (info.fundamentals || []).forEach(function (f) {
      var text = f[1] + (f[2] ? " (" + f[2] + ")" : "");
      if (withLinks && f[4]) {
        var span = el("span", null, text + " ");
        span.appendChild(link(f[4], "source"));
        row(dl, f[0], span);
      } else {
        row(dl, f[0], text + (f[3] && !f[4] ? ", " + f[3] : ""));
      }
    });
    box.appendChild(dl);
    if (info.notes) { box.appendChild(el("p", "fg-tip-note", info.notes)); }
    return box;
  }

  function dealBox(info, withLinks, maxDeals) {
    var box = el("div", "fg-tip");
    box.appendChild(el("div", "fg-tip-title", info.payer + " \u2192 " + info.payee));
    var head = info.total + (info.any_unknown ? " + unknown amounts (not counted)" : "");
    if (info.any_estimate) { head += " \u00b7 includes estimates"; }
    box.appendChild(el("div", "fg-tip-sub", head + (info.firm ? "" : " \u00b7 announced or rumored only")));
    var list = info.deals;
    var limit = maxDeals || list.length;
    list.slice(0, limit).forEach(function (d) {
      var item = el("div", "fg-deal");
      var dl = el("dl");
      row(dl, "Deal", d.id);
      var amt = d.amount + (d.estimate ? " (estimate)" : "");
      if (d.range) { amt += ", range " + d.range; }
      if (d.unknown_part) { amt += " + unknown amounts"; }
      row(dl, "Amount", amt);
      row(dl, "Type", d.flow_types ? d.flow_types.map(label).join(", ") : label(d.flow_type));
      row(dl, "Status", d.status);
      row(dl, "Date", d.date);
      row(dl, "Period", d.period);
      row(dl, "Confidence", d.confidence);
      if (d.n_deals && d.n_deals > 1) { row(dl, "Deals", d.n_deals); }
      if (d.url) {
        row(dl, "Source", withLinks ? link(d.url, d.source || d.url) : (d.source || d.url));
      } else if (d.source) {
        row(dl, "Source", d.source);
      }
      item.appendChild(dl);
      if (d.description) { item.appendChild(el("p", "fg-tip-note", d.description)); }
      box.appendChild(item);
    });
    if (list.length > limit) {
      box.appendChild(el("p", "fg-hint", (list.length - limit) + " more deal(s): click the arrow"));
    }
    return box;
  }

  /* ---------------- the network ---------------- */
  var nodeInfo = {}, edgeInfo = {}, baseEdge = {}, baseNode = {};
  data.nodes.forEach(function (n) {
    nodeInfo[n.id] = n.info;
    delete n.info;
    n.title = companyBox(nodeInfo[n.id], false);
    baseNode[n.id] = { color: n.color, opacity: 1, borderWidth: 1.5 };
  });
  data.edges.forEach(function (e) {
    edgeInfo[e.id] = e.info;
    delete e.info;
    e.title = dealBox(edgeInfo[e.id], false, 4);
    baseEdge[e.id] = { width: e.width, color: { color: e.color.color, opacity: 1 } };
  });
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("fg-graph");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  window.fgNodes = nodes;
  window.fgEdges = edges;
  window.fgNetwork = network;

  var loading = document.getElementById("fg-loading");
  var loadingPct = document.getElementById("fg-loading-pct");
  var MIN_NODE_PX = 12, MIN_EDGE_PX = 10;  // labels readable once the whole web is fitted
  function readableLabels() {
    var scale = network.getScale() || 1;
    var o = data.options;
    var nodePx = Math.max(o.nodes.font.size, Math.ceil(MIN_NODE_PX / scale));
    var edgePx = o.edges.font.size ? Math.max(o.edges.font.size, Math.ceil(MIN_EDGE_PX / scale))
      : 0;
    network.setOptions({ nodes: { font: { size: nodePx } }, edges: { font: { size: edgePx } } });
    window.fgLabelPx = { node: nodePx * scale, edge: edgePx * scale };
    if (edgePx) { clearLabels(); }
  }
  /* the labels of the largest flows never sit on a company: moved up or down off it */
  function clearLabels() {
    var pos = network.getPositions();
    var ranked = edges.get().filter(function (e) { return e.label && e.label !== "?"; })
      .sort(function (a, b) { return b.width - a.width; }).slice(0, 12);
    var report = [];
    ranked.forEach(function (e) {
      function hit() {  // the label's box as vis-network draws it, against every other dot
        var be = network.body.edges[e.id];
        if (!be || !be.labelModule) { return false; }
        network.redraw();
        var s = be.labelModule.size, pad = 2;
        return Object.keys(pos).some(function (nid) {
          if (nid === String(e.from) || nid === String(e.to)) { return false; }
          var n = network.body.nodes[nid];
          var r = (n && n.options.size || 10) + pad, p = pos[nid];
          return s.left < p.x + r && p.x - r < s.left + s.width && s.top < p.y + r
            && p.y - r < s.top + s.height;
        });
      }
      var smooth = e.smooth || { enabled: true, type: "curvedCW", roundness: 0.18 };
      var other = smooth.type === "curvedCW" ? "curvedCCW" : "curvedCW";
      var tries = [[smooth.type, 0.35], [smooth.type, 0.55], [other, 0.2], [other, 0.4],
                   [other, 0.6], [smooth.type, 0.75], [other, 0.8]];
      var moved = null;
      for (var i = 0; i < tries.length && hit(); i++) {
        moved = { enabled: true, type: tries[i][0], roundness: tries[i][1] };
        edges.update({ id: e.id, smooth: moved });
      }
      if (moved && hit()) { edges.update({ id: e.id, smooth: smooth }); moved = null; }
      report.push({ id: e.id, label: e.label, smooth: moved });
    });
    window.fgLabelMoves = report;
  }
  function done() {
    network.setOptions({ physics: { enabled: false } });
    network.fit({ animation: false });
    readableLabels();
    loading.style.display = "none";
    document.body.setAttribute("data-ready", "1");
  }
  network.on("stabilizationProgress", function (p) {
    loadingPct.textContent = Math.round(100 * p.iterations / p.total) + "%";
  });
  network.once("stabilizationIterationsDone", done);
  if (data.nodes.length === 0) { done(); }

  /* tooltips beside the hovered company (not over it), and off the pointer for arrows */
  var hovered = null;
  network.on("hoverNode", function (p) { hovered = p.node; });
  network.on("blurNode", function () { hovered = null; });
  network.on("showPopup", function (id) {
    var tip = container.querySelector("div.vis-tooltip");
    if (!tip) { return; }
    window.requestAnimationFrame(function () {
      var w = tip.offsetWidth, h = tip.offsetHeight;
      var box = container.getBoundingClientRect();
      var x, y;
      if (id === hovered && nodes.get(id)) {
        var c = network.canvasToDOM(network.getPosition(id));
        var r = ((nodes.get(id).size || 10) + 4) * network.getScale();
        x = c.x + r + 12;
        y = c.y - h / 2;
        if (x + w > box.width) { x = c.x - r - 12 - w; }
      } else {
        x = parseFloat(tip.style.left) + 18;
        y = parseFloat(tip.style.top) + 18;
        if (x + w > box.width) { x = x - w - 36; }
      }
      tip.style.left = Math.max(0, x) + "px";
      tip.style.top = Math.max(0, Math.min(y, box.height - h)) + "px";
    });
  });

  /* ---------------- highlighting ---------------- */
  var cycleEdges = {};
  data.cycles.forEach(function (c) { c.edges.forEach(function (id) { cycleEdges[id] = true; }); });
  var anyCycles = data.cycles.length > 0;

  function apply(edgeSet, nodeSet, dimTo) {
    var eu = [], nu = [];
    edges.getIds().forEach(function (id) {
      var b = baseEdge[id];
      var on = !edgeSet || edgeSet[id];
      eu.push({ id: id, width: on && edgeSet ? b.width + 2.5 : b.width,
                color: { color: b.color.color, opacity: on ? 1 : dimTo } });
    });
    nodes.getIds().forEach(function (id) {
      var on = !nodeSet || nodeSet[id];
      nu.push({ id: id, opacity: on ? 1 : Math.max(dimTo, 0.25),
                borderWidth: on && nodeSet ? 3 : 1.5 });
    });
    edges.update(eu);
    nodes.update(nu);
  }
  var items = [];
  function markItem(idx) {
    items.forEach(function (li, i) { li.classList.toggle("fg-active", i === idx); });
  }
  function showAll() {
    if (!anyCycles) { apply(null, null, 1); markItem(-1); return; }
    var ns = {};
    data.cycles.forEach(function (c) { c.nodes.forEach(function (id) { ns[id] = true; }); });
    apply(cycleEdges, ns, 0.35);
    markItem(-1);
  }
  function showCycle(idx) {
    var c = data.cycles[idx], es = {}, ns = {};
    c.edges.forEach(function (id) { es[id] = true; });
    c.nodes.forEach(function (id) { ns[id] = true; });
    apply(es, ns, 0.12);
    markItem(idx);
    network.fit({ nodes: c.nodes, animation: false });
  }
  window.fgShowCycle = showCycle;

  var list = document.getElementById("fg-cycles");
  var noCycles = el("p", "fg-hint", "No cycles to show with these filters.");
  list.parentNode.insertBefore(noCycles, list);
  function renderCycles(cycles) {  /* the listed loops: the data's, or a date's (slider) */
    data.cycles = cycles;
    cycleEdges = {};
    cycles.forEach(function (c) { c.edges.forEach(function (id) { cycleEdges[id] = true; }); });
    anyCycles = cycles.length > 0;
    noCycles.style.display = anyCycles ? "none" : "";
    while (list.firstChild) { list.removeChild(list.firstChild); }
    items = [];
    cycles.forEach(function (c, i) {
      var li = el("li", "fg-cycle");
      li.tabIndex = 0;
      li.appendChild(el("div", "fg-cycle-path", c.path));
      if (c.line) { li.appendChild(el("div", "fg-cycle-line", c.line)); }
      var meta = "Round trip " + c.bottleneck + " (most that can go all the way round once)";
      if (!c.complete) { meta += " \u00b7 not all companies drawn"; }
      li.appendChild(el("div", "fg-cycle-meta", meta));
      li.addEventListener("click", function () { showCycle(i); });
      li.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { showCycle(i); } });
      list.appendChild(li);
      items.push(li);
    });
  }
  renderCycles(data.cycles);
  document.getElementById("fg-all-cycles").addEventListener("click", showAll);
  document.getElementById("fg-clear").addEventListener("click", function () {
    apply(null, null, 1); markItem(-1);
  });
  showAll();

  /* ---------------- details panel ---------------- */
  var details = document.getElementById("fg-details");
  function showDetails(box) {
    while (details.firstChild) { details.removeChild(details.firstChild); }
    details.appendChild(box);
  }
  window.fgDetails = {
    node: function (id) { showDetails(companyBox(nodeInfo[id], true)); },
    edge: function (id) { showDetails(dealBox(edgeInfo[id], true, 0)); }
  };
  network.on("click", function (params) {
    if (params.nodes.length) {
      showDetails(companyBox(nodeInfo[params.nodes[0]], true));
    } else if (params.edges.length) {
      showDetails(dealBox(edgeInfo[params.edges[0]], true, 0));
    }
  });

  /* ---------------- search, fit, relayout ---------------- */
  var names = document.getElementById("fg-names"), byName = {};
  data.nodes.forEach(function (n) {
    byName[n.label.toLowerCase()] = n.id;
    var o = document.createElement("option");
    o.value = n.label;
    names.appendChild(o);
  });
  document.getElementById("fg-search").addEventListener("change", function (ev) {
    var id = byName[String(ev.target.value).toLowerCase()];
    if (id === undefined) { return; }
    network.selectNodes([id]);
    network.focus(id, { scale: 1.2, animation: false });
    showDetails(companyBox(nodeInfo[id], true));
  });
  document.getElementById("fg-fit").addEventListener("click", function () { network.fit(); });
  document.getElementById("fg-relayout").addEventListener("click", function () {
    loading.style.display = "";
    network.once("stabilizationIterationsDone", done);
    network.setOptions({ physics: { enabled: true } });
    network.stabilize(data.options.physics.stabilization.iterations);
  });

  /* ---------------- notes and legend ---------------- */
  var notes = document.getElementById("fg-notes");
  data.notes.forEach(function (t) { notes.appendChild(el("li", null, t)); });
  if (!data.notes.length) { document.getElementById("fg-notes-sec").style.display = "none"; }

  var legend = document.getElementById("fg-legend");
  var usedKinds = {}, usedTypes = {};
  data.nodes.forEach(function (n) { usedKinds[nodeInfo[n.id].kind] = true; });
  data.edges.forEach(function (e) { usedTypes[e.flow_type] = true; });
  function swatchList(title, colors, used, shape) {
    legend.appendChild(el("h3", null, title));
    var ul = el("ul", "fg-swatches");
    Object.keys(colors).forEach(function (k) {
      if (!used[k]) { return; }
      var li = el("li");
      var sw = el("span", "fg-swatch " + shape);
      sw.style.background = colors[k];
      li.appendChild(sw);
      li.appendChild(document.createTextNode(label(k)));
      ul.appendChild(li);
    });
    legend.appendChild(ul);
  }
  swatchList("Companies (dot size: money in + out, log scale)", data.kinds, usedKinds, "fg-dot");
  swatchList("Deals (arrow: payer \u2192 payee)", data.flow_types, usedTypes, "fg-line");
  legend.appendChild(el("h3", null, "Arrow width (amount, log scale)"));
  var wl = el("ul", "fg-swatches");
  data.legend_widths.forEach(function (w) {
    var li = el("li");
    var sw = el("span", "fg-swatch fg-line");
    sw.style.height = Math.max(1, w[1]) + "px";
    sw.style.background = "#555";
    li.appendChild(sw);
    li.appendChild(document.createTextNode(w[0]));
    wl.appendChild(li);
  });
  legend.appendChild(wl);
  var marks = el("ul", "fg-marks");
  [["dashed", "only announced or rumored (not committed)"],
   ["~$6bn", "amount is an estimate"],
   ["$5bn+?", "some deal amounts unknown (not counted)"],
   ["?", "amount unknown"],
   ["bold", "on a highlighted cycle; other arrows faded"]].forEach(function (m) {
    var li = el("li");
    li.appendChild(el("code", null, m[0]));
    li.appendChild(document.createTextNode(" " + m[1]));
    marks.appendChild(li);
  });
  legend.appendChild(marks);

  /* ---------------- time slider: the web as of each period (precomputed) ---------------- */
  if (data.time && data.time.periods.length) {
    var periods = data.time.periods;
    var slider = document.getElementById("fg-time");
    var tLabel = document.getElementById("fg-time-label");
    var tHead = document.getElementById("fg-time-headline");
    var tCount = document.getElementById("fg-time-count");
    var tNew = document.getElementById("fg-time-new");
    var baseCycles = data.cycles.slice();
    var baseLabel = {};
    edges.forEach(function (e) { baseLabel[e.id] = e.label; });
    var headSub = document.getElementById("fg-sub");
    var headMoney = document.getElementById("fg-money");
    var baseSub = headSub ? headSub.textContent : "";
    var baseMoney = headMoney ? headMoney.textContent : "";
    slider.min = 0;
    slider.max = periods.length;  /* the last position: every deal, as drawn */
    slider.step = 1;
    slider.value = periods.length;
    function setTime(i) {
      i = Math.max(0, Math.min(periods.length, Number(i)));
      slider.value = i;
      var eu = [], nu = [], on = {}, nOn = {}, shownEdges = 0, shownNodes = 0;
      while (tNew.firstChild) { tNew.removeChild(tNew.firstChild); }
      if (i === periods.length) {
        edges.getIds().forEach(function (id) { eu.push({ id: id, hidden: false, label: baseLabel[id] }); });
        nodes.getIds().forEach(function (id) { nu.push({ id: id, hidden: false }); });
        shownEdges = edges.length; shownNodes = nodes.length;
        tLabel.textContent = "All deals (as drawn)";
        tHead.textContent = data.time.note;
        if (headSub) { headSub.textContent = baseSub; }
        if (headMoney) { headMoney.textContent = baseMoney; }
        edges.update(eu); nodes.update(nu);
        renderCycles(baseCycles);
      } else {
        var p = periods[i];
        p.edges.forEach(function (pair) { on[pair[0]] = pair[1]; });
        edges.get().forEach(function (e) {
          var vis = Object.prototype.hasOwnProperty.call(on, e.id);
          eu.push({ id: e.id, hidden: !vis, label: vis ? on[e.id] : baseLabel[e.id] });
          if (vis) { shownEdges += 1; nOn[e.from] = true; nOn[e.to] = true; }
        });
        nodes.getIds().forEach(function (id) {
          nu.push({ id: id, hidden: !nOn[id] });
          if (nOn[id]) { shownNodes += 1; }
        });
        edges.update(eu); nodes.update(nu);
        tLabel.textContent = p.label + " (as of " + p.end + ")";
        tHead.textContent = p.headline;
        if (headSub) { headSub.textContent = "As of " + p.end + " (time slider)"; }
        if (headMoney) { headMoney.textContent = p.headline; }
        p.new_loops.forEach(function (t) { tNew.appendChild(el("li", null, "Closed then: " + t)); });
        if (p.not_drawn) {
          tNew.appendChild(el("li", null, p.not_drawn + " arrow(s) of the web then are not drawn "
                                          + "(companies left out of the picture)."));
        }
        renderCycles(p.cycles);
      }
      tNew.style.display = tNew.firstChild ? "" : "none";
      tCount.textContent = shownEdges + " arrows and " + shownNodes + " companies shown";
      document.body.setAttribute("data-time", String(i));
      showAll();
    }
    slider.addEventListener("input", function () { setTime(slider.value); });
    window.fgTime = { set: setTime, periods: periods.length };
    setTime(periods.length);
  } else {
    var tsec = document.getElementById("fg-time-sec");
    if (tsec) { tsec.style.display = "none"; }
  }
})();
