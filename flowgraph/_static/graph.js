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
    // the estimated and conditional parts, worded by html._basis_text
    row(dl, "Money in", info.inflow + " known" + (info.inflow_basis || ""));
    row(dl, "Money out", info.outflow + " known" + (info.outflow_basis || ""));
    if (info.unknown) { row(dl, "Unknown amounts", info.unknown + " deal(s), not counted"); }
    if (info.cycles !== null && info.cycles !== undefined) { row(dl, "Cycles through it", info.cycles); }
    if (info.self_funded !== null && info.self_funded !== undefined) {
      row(dl, "Self-funded share of known inflow", pct(info.self_funded));
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
  /* the labels of the largest flows never sit on a company. Each is written level (so the
     box vis-network measures is the box it draws) and checked against every other company's
     dot, and, less strictly, against the names and the other large labels: its arrow is bent
     more or the other way, then a company still under it is nudged just clear (physics is
     off, so it stays there). A label that still covers a company is left off its arrow, and
     the arrow's tooltip says so. The boxes are vis-network's own: the label's at the middle
     of its curve, a name's where it was last drawn beside its dot. */
  var LABEL_PAD = 2, LABELS_CLEARED = 12, labelOff = {}, onTop = [], nameAt = {};
  var BENDS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];  // roundness, on either side
  var scratch = document.createElement("canvas").getContext("2d");
  function radius(n) { return (n && n.options.size) || 10; }
  function meets(a, b) {
    return a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height
      && b.top < a.top + a.height;
  }
  function dotBox(n, pad) {
    var r = radius(n) + pad;
    return { left: n.x - r, top: n.y - r, width: 2 * r, height: 2 * r };
  }
  function nameBox(nid) {
    var n = network.body.nodes[nid], a = nameAt[nid];
    return a && { left: n.x + a.dx, top: n.y + a.dy, width: a.width, height: a.height };
  }
  function labelBox(id) {  // where vis-network draws the label (level: the box drawn)
    var be = network.body.edges[id];
    if (!be || !be.connected || be.options.hidden || !be.options.label) { return null; }
    be.drawArrows(scratch);  // vis-network's own drawing, off screen: the curve's ends
    be.draw(scratch);  // (which the arrow heads set), then the label on that curve
    var s = be.labelModule.size;
    return { left: s.left, top: s.top, width: s.width, height: s.height };
  }
  function rankedLabels() {
    return edges.get().filter(function (e) { return e.label && e.label !== "?"; })
      .sort(function (a, b) { return b.width - a.width; }).slice(0, LABELS_CLEARED);
  }
  function measure(ranked) {  // "dot|edge|node", "name|edge|node", "label|edge|edge"
    var out = {}, boxes = {}, dots = 0, labels = 0, ids = Object.keys(network.body.nodes);
    ranked.forEach(function (e) { boxes[e.id] = labelBox(e.id); });
    ranked.forEach(function (e, i) {
      var s = boxes[e.id];
      if (!s) { return; }
      ids.forEach(function (nid) {
        var n = network.body.nodes[nid];
        if (n.options.hidden) { return; }
        if (nid !== String(e.from) && nid !== String(e.to) && meets(s, dotBox(n, LABEL_PAD))) {
          out["dot|" + e.id + "|" + nid] = true;
          dots += 1;
        }
        var nb = nameBox(nid);
        if (nb && meets(s, nb)) { out["name|" + e.id + "|" + nid] = true; }
      });
      ranked.slice(i + 1).forEach(function (f) {
        if (boxes[f.id] && meets(s, boxes[f.id])) {
          out["label|" + e.id + "|" + f.id] = true;
          labels += 1;
        }
      });
    });
    return { keys: out, dots: dots, labels: labels, all: Object.keys(out).length };
  }
  function mine(m, e, kind) {  // the nodes (or labels) in one kind of conflict with e's label
    var head = kind + "|" + e.id + "|";
    return Object.keys(m.keys).filter(function (k) { return k.indexOf(head) === 0; })
      .map(function (k) { return k.slice(head.length); });
  }
  function involved(m, e) {
    return Object.keys(m.keys).some(function (k) { return k.split("|").indexOf(e.id) > 0; });
  }
  function crowd(nid) {  // the other dots and names this company's dot and name touch
    var n = network.body.nodes[nid], own = [dotBox(n, 0), nameBox(nid)], out = {};
    Object.keys(network.body.nodes).forEach(function (m) {
      var o = network.body.nodes[m];
      if (m === nid || o.options.hidden) { return; }
      var dot = dotBox(o, 0), name = nameBox(m);
      own.forEach(function (a) {
        if (!a) { return; }
        if (meets(a, dot)) { out["dot|" + m] = true; }
        if (name && meets(a, name)) { out["name|" + m] = true; }
      });
    });
    return out;
  }
  function noWorse(now, then) {  // touches no new dot, and no more names and dots in all
    var keys = Object.keys(now);
    return keys.length <= Object.keys(then).length && keys.every(function (k) {
      return then[k] || k.indexOf("dot|") !== 0;
    });
  }
  function better(a, b) {  // fewer dots under labels, then fewer labels on labels, then names
    if (a.dots !== b.dots) { return a.dots < b.dots; }
    if (a.labels !== b.labels) { return a.labels < b.labels; }
    return a.all < b.all;
  }
  var trials = 0, TRIALS = 40;  // curves tried with a dot nudged off them, per clearLabels
  function positions() {
    var out = {};
    Object.keys(network.body.nodes).forEach(function (k) {
      out[k] = [network.body.nodes[k].x, network.body.nodes[k].y];
    });
    return out;
  }
  function restore(p) { Object.keys(p).forEach(function (k) { place(k, p[k][0], p[k][1]); }); }
  function bend(e, ranked, moves) {  // the curve with the fewest conflicts (see better)
    var best = measure(ranked);
    if (!involved(best, e)) { return; }
    var smooth = edges.get(e.id).smooth || { enabled: true, type: "curvedCW", roundness: 0.18 };
    var chosen = null, start = positions(), bestAt = null, bestNudged = [];
    ["curvedCW", "curvedCCW"].forEach(function (type) {
      BENDS.forEach(function (r) {
        if (!best.all) { return; }
        var s = { enabled: true, type: type, roundness: r }, nudged = [];
        edges.update({ id: e.id, smooth: s });
        var m = measure(ranked);
        if (m.dots > best.dots && trials < TRIALS && (m.labels < best.labels
            || (m.labels === best.labels && m.all - m.dots < best.all - best.dots))) {
          // fewer texts overlap on this curve, but a dot is under it: try that dot moved off
          trials += 1;
          var trial = {};
          trial[e.id] = { nudged: [] };
          nudge(e, ranked, trial, "dot", Infinity);
          m = measure(ranked);
          nudged = trial[e.id].nudged;
        }
        if (better(m, best)) {
          best = m;
          chosen = s;
          bestAt = nudged.length ? positions() : null;
          bestNudged = nudged;
        }
        restore(start);
      });
    });
    edges.update({ id: e.id, smooth: chosen || smooth });
    if (bestAt) { restore(bestAt); }
    if (chosen) {
      moves[e.id].smooth = chosen;
      moves[e.id].nudged = moves[e.id].nudged.concat(bestNudged);
    }
  }
  function place(nid, x, y) {  // as network.moveNode, without a redraw queued for each try
    network.body.nodes[nid].x = x;
    network.body.nodes[nid].y = y;
  }
  function nudge(e, ranked, moves, kind, limit) {  // move companies just off e's label
    mine(measure(ranked), e, kind).forEach(function (nid) {
      var before = measure(ranked);
      if (!before.keys[kind + "|" + e.id + "|" + nid]) { return; }
      var s = labelBox(e.id), n = network.body.nodes[nid], x = n.x, y = n.y;
      var gap = LABEL_PAD + 1;
      var b = kind === "dot" ? dotBox(n, gap) : nameBox(nid);
      var crowded = crowd(nid), best = null;
      var up = s.top - gap - (b.top + b.height), down = s.top + s.height + gap - b.top;
      var left = s.left - gap - (b.left + b.width), right = s.left + s.width + gap - b.left;
      var steps = [];
      [1, 1.5, 2.5].forEach(function (f) {  // just off, then a little further (past a dot)
        steps.push([0, f * up], [0, f * down], [f * left, 0], [f * right, 0],
                   [f * left, f * up], [f * right, f * up], [f * left, f * down],
                   [f * right, f * down]);
      });
      steps.forEach(function (d) {
        var dist = Math.sqrt(d[0] * d[0] + d[1] * d[1]);
        if (dist > limit) { return; }
        place(nid, x + d[0], y + d[1]);
        var after = measure(ranked), fresh = 0, freshDots = 0;
        Object.keys(after.keys).forEach(function (k) {
          if (!before.keys[k]) { fresh += 1; if (k.indexOf("dot|") === 0) { freshDots += 1; } }
        });
        // a dot off a label may put a name under one; a name moves to fewer conflicts
        var ok = kind === "dot" ? !freshDots && after.dots < before.dots
          : !freshDots && after.labels <= before.labels && after.all < before.all;
        if (ok && noWorse(crowd(nid), crowded)
            && (!best || fresh < best.fresh || (fresh === best.fresh && dist < best.dist))) {
          best = { d: d, dist: dist, fresh: fresh };
        }
        place(nid, x, y);
      });
      if (best) {
        place(nid, x + best.d[0], y + best.d[1]);
        moves[e.id].nudged.push({ node: n.options.label, dx: Math.round(best.d[0]),
                                  dy: Math.round(best.d[1]) });
      }
    });
  }
  function leaveOff(e, moves) {  // no clear place: the amount is said in the tooltip only
    labelOff[e.id] = true;
    var tip = dealBox(edgeInfo[e.id], false, 4);
    tip.insertBefore(el("p", "fg-hint", "Amount " + e.label + " not written on the arrow: "
                                      + "there it would cover a company."), tip.childNodes[1]);
    edges.update({ id: e.id, label: "", title: tip });
    moves[e.id].left_off = true;
  }
  network.on("afterDrawing", function (ctx) {  // the largest flows' labels above the names
    onTop.forEach(function (id) {
      var be = network.body.edges[id];
      if (be && be.connected && !be.options.hidden && be.options.label) {
        be.drawLabel(ctx, be.edgeType.getViaNode());
      }
    });
  });
  function clearLabels() {
    var moves = {}, far = 60 / (network.getScale() || 1);  // a name moves 60 px at most
    onTop = [];
    trials = 0;
    network.redraw();  // every name's box beside its dot, as drawn at this size
    nameAt = {};
    Object.keys(network.body.nodes).forEach(function (nid) {
      var n = network.body.nodes[nid], s = n.labelModule && n.labelModule.size;
      if (s && s.width) {
        nameAt[nid] = { dx: s.left - n.x, dy: s.top - n.y, width: s.width, height: s.height };
      }
    });
    for (var round = 0; round < 5; round++) {
      var ranked = rankedLabels();
      ranked.forEach(function (e) {
        if (!moves[e.id]) {
          moves[e.id] = { id: e.id, label: e.label, smooth: null, nudged: [], left_off: false };
          edges.update({ id: e.id, font: { align: "horizontal" } });
        }
      });
      ranked.forEach(function (e) { bend(e, ranked, moves); });
      ranked.forEach(function (e) { nudge(e, ranked, moves, "dot", Infinity); });
      ranked.forEach(function (e) { nudge(e, ranked, moves, "name", far); });
      ranked.forEach(function (e) { bend(e, ranked, moves); });
      var end = measure(ranked);
      var stuck = ranked.filter(function (e) { return mine(end, e, "dot").length > 0; });
      if (!stuck.length) { break; }
      stuck.forEach(function (e) { leaveOff(e, moves); });
    }
    onTop = rankedLabels().map(function (e) { return e.id; }).reverse();  // largest last
    network.redraw();  // twice: vis-network ends a curve where the last frame's arrow was
    network.redraw();
    window.fgLabelMoves = Object.keys(moves).map(function (k) { return moves[k]; });
    window.fgLabelConflicts = Object.keys(measure(rankedLabels()).keys).sort();
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
        edges.getIds().forEach(function (id) {
          eu.push({ id: id, hidden: false, label: labelOff[id] ? "" : baseLabel[id] });
        });
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
          eu.push({ id: e.id, hidden: !vis,
                    label: labelOff[e.id] ? "" : (vis ? on[e.id] : baseLabel[e.id]) });
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
