/**
 * The ops page: one self-contained HTML document (inline CSS, script and SVG, nothing loaded from
 * the network) drawing `/ops/graph`, `/ops/health` and `/ops/startup`, which it fetches relative to
 * its own address (so a router mounted under a prefix works too), every 5 seconds.
 *
 * - The component graph: the application's components (those `/ops/startup` lists: layerwise's own
 *   services, such as `layerwise/App/Health`, are not drawn, nor the edges to them, though `/ops/graph`,
 *   the plan, has them), a layered drawing, left to right in build order (a component's layer is one
 *   more than its deepest dependency's or looked-up component's; within a layer, nodes ordered by the
 *   mean position of their neighbours, a few sweeps each way), nodes coloured by lifecycle state, edges
 *   from a component to its dependencies, and dashed (`data-lookup`) to what its constructor looked up
 *   during the build (`/ops/startup`'s `lookedUp`); the critical path's components and the edges it
 *   follows (a dependency or a lookup) are marked.
 * - Health: one row per check (`<component>/<check>`; one that counts for readiness says so), per
 *   component its state and status.
 * - The startup timeline: one row per component, a bar per build / initialize / start phase on a
 *   time axis; the critical path's bars are marked and joined by a line.
 * - Containers, when `/ops/containers` answers (the page does not need it): one line per container,
 *   children indented under their parent, each component it holds marked built, not built or shut
 *   down (the snapshot's components: without layerwise's own services, as the graph).
 *
 * Text from the server is set with `textContent` (never parsed as HTML). The DOM carries what a test
 * (or a curious user) reads: `data-name`, `data-state`, `data-critical` on graph nodes, `data-from`,
 * `data-to`, `data-critical`, `data-lookup` on its edges,
 * `data-check` / `data-status` on health rows, `data-component` / `data-phase` / `data-critical` on
 * timeline bars, `data-container` on container lines and `data-component` / `data-status` on their
 * components, and `data-rendered` on `<body>` once drawn.
 *
 * @internal
 */

/** Only this server, only inline style and script: the page reaches nothing else. @internal */
export const contentSecurityPolicy =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'"

const style = String.raw`
:root {
  --ink: #1d2733; --muted: #5f6b7a; --line: #d5dbe3; --panel: #ffffff; --back: #f3f5f8;
  --critical: #e8590c; --build: #4c7ef3; --initialize: #9b59d0; --start: #14a098;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--back); }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 18px; padding: 14px 24px; background: #1d2733; color: #fff; }
header h1 { margin: 0 12px 0 0; font-size: 18px; font-weight: 650; letter-spacing: .2px; }
header h1 span { color: #9fb3c8; font-weight: 400; }
.pill { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 12.5px; font-weight: 600; background: #3a4756; color: #fff; }
.pill.good { background: #2e9e5b; } .pill.bad { background: #d64545; } .pill.wait { background: #d98e04; }
header .facts { color: #c9d4df; font-size: 13px; }
header .links { margin-left: auto; font-size: 13px; }
header a { color: #9fd0ff; margin-left: 12px; }
main { padding: 18px 24px 32px; display: grid; gap: 18px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 18px 16px; min-width: 0; }
section h2 { margin: 0 0 4px; font-size: 15px; font-weight: 650; }
section .note { margin: 0 0 10px; color: var(--muted); font-size: 12.5px; }
.scroll { overflow: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 0 0 10px; font-size: 12px; color: var(--muted); }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 5px; vertical-align: -2px; border: 1.5px solid; }
svg text { font-family: inherit; }
.node rect { stroke-width: 1.5; }
.node text.name { font-size: 12.5px; font-weight: 600; fill: var(--ink); }
.node text.sub { font-size: 11px; fill: var(--muted); }
.node[data-critical="true"] rect { stroke: var(--critical); stroke-width: 3; }
.node { cursor: pointer; }
.edge { fill: none; stroke: #9aa6b4; stroke-width: 1.3; }
.edge[data-critical="true"] { stroke: var(--critical); stroke-width: 2.8; }
.edge[data-lookup="true"] { stroke-dasharray: 5 4; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid #e7ebf0; vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .4px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.error { color: #a23535; font-size: 12.5px; max-width: 520px; overflow-wrap: anywhere; }
td.details { color: var(--muted); font-size: 12.5px; max-width: 420px; overflow-wrap: anywhere; }
.status { display: inline-block; min-width: 74px; text-align: center; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; }
.status.healthy { background: #e3f5ea; color: #1f7a45; } .status.unhealthy, .status.timeout { background: #fde8e8; color: #b42d2d; }
.status.not-running { background: #fff4d6; color: #8a5a00; }
.axis text { font-size: 11px; fill: var(--muted); }
.axis line { stroke: #e4e8ee; }
.row-label { font-size: 12.5px; fill: var(--ink); }
.row-label.critical { fill: var(--critical); font-weight: 650; }
.bar { rx: 3; }
.bar[data-critical="true"] { stroke: var(--critical); stroke-width: 2.5; }
.instant { fill: var(--critical); }
.link { fill: none; stroke: var(--critical); stroke-width: 1.6; stroke-dasharray: 4 3; }
.path-summary { margin: 8px 0 0; font-size: 13px; }
.path-summary b { color: var(--critical); }
#details { display: none; margin-top: 12px; padding: 10px 12px; border-radius: 8px; background: #f7f9fb; border: 1px solid var(--line); font-size: 12.5px; }
#details h3 { margin: 0 0 6px; font-size: 13.5px; }
#details dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
#details dt { color: var(--muted); } #details dd { margin: 0; overflow-wrap: anywhere; }
.held { padding: 0 4px; border-radius: 4px; white-space: nowrap; }
.held.built { background: #e3f5ea; } .held.not-built { color: var(--muted); } .held.shut-down { background: #e6e9ed; text-decoration: line-through; }
#containers { list-style: none; margin: 0; padding: 0; font-size: 13px; } #containers li { padding: 3px 0; line-height: 1.9; }
#problem { display: none; margin: 0; padding: 10px 24px; background: #fde8e8; color: #8f2323; font-weight: 600; }
`

const script = String.raw`
"use strict";
var base = location.pathname.replace(/[^/]*$/, "");
var SVG = "http://www.w3.org/2000/svg";
var stateColours = {
  pending: ["#eef1f4", "#7b8794"], building: ["#fff4d6", "#d98e04"], built: ["#eaf1ff", "#4c7ef3"],
  starting: ["#fff4d6", "#d98e04"], started: ["#e3f5ea", "#2e9e5b"], stopping: ["#fff4d6", "#b7791f"],
  stopped: ["#e6e9ed", "#5b6b7b"], releasing: ["#e6e9ed", "#5b6b7b"], released: ["#e6e9ed", "#5b6b7b"],
  failed: ["#fde8e8", "#d64545"]
};
var phaseColours = { build: "var(--build)", initialize: "var(--initialize)", start: "var(--start)" };

function el(name, attributes, text) {
  var node = name === "svg" || ["g", "rect", "text", "path", "line", "defs", "marker", "title", "circle"].indexOf(name) >= 0
    ? document.createElementNS(SVG, name) : document.createElement(name);
  for (var key in attributes || {}) node.setAttribute(key, String(attributes[key]));
  if (text !== undefined) node.textContent = text;
  return node;
}
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
function ms(value) { return value >= 1000 ? (value / 1000).toFixed(2) + " s" : value.toFixed(1) + " ms"; }
function shorten(text, max) { return text.length > max ? text.slice(0, max - 1) + "\u2026" : text; }

function fetchJson(path) {
  return fetch(base + path, { cache: "no-store" }).then(function (response) {
    return response.json().then(function (body) {
      if (response.status === 404 && body && body.section) throw new Error(body.error);
      return body;
    });
  });
}

// ---- the component graph: layers left to right, dependencies first

// The plan without what is not one of the application's components (layerwise's own services, such
// as layerwise/App/Health): the nodes /ops/startup lists, renumbered, with the edges between them.
function componentsOnly(graph, startup) {
  var listed = {}, renumbered = [], nodes = [], lookups = [];
  startup.components.forEach(function (c) {
    listed[c.name] = true;
    (c.lookedUp || []).forEach(function (name) { lookups.push([c.name, name]); });
  });
  graph.nodes.forEach(function (node) { if (listed[node.name] === true) renumbered[node.id] = nodes.push(node) - 1; });
  return {
    nodes: nodes.map(function (node, id) {
      return Object.assign({}, node, {
        id: id,
        dependencies: node.dependencies.map(function (edge) {
          return Object.assign({}, edge, {
            targets: edge.targets.filter(function (t) { return renumbered[t] !== undefined; }).map(function (t) { return renumbered[t]; })
          });
        })
      });
    }),
    order: graph.order.filter(function (id) { return renumbered[id] !== undefined; }).map(function (id) { return renumbered[id]; }),
    // what constructors looked up during the build (/ops/startup's lookedUp): edges of their own, by name
    lookups: lookups
  };
}

// layers left to right: each component right of what it depends on and of what it looked up
// (/ops/startup leaves out the lookups that would close a cycle)
function layout(graph) {
  var nodes = graph.nodes, layer = [], order = graph.order, ids = {};
  nodes.forEach(function (node) { ids[node.name] = node.id; });
  var requested = nodes.map(function (node) {
    var targets = [];
    node.dependencies.forEach(function (edge) { edge.targets.forEach(function (t) { if (targets.indexOf(t) < 0) targets.push(t); }); });
    return targets;
  });
  var looked = nodes.map(function () { return []; });
  graph.lookups.forEach(function (pair) {
    var id = ids[pair[0]], target = ids[pair[1]];
    if (id !== undefined && target !== undefined && requested[id].indexOf(target) < 0 && looked[id].indexOf(target) < 0) looked[id].push(target);
  });
  var deps = requested.map(function (targets, id) { return targets.concat(looked[id]); });
  var dependents = nodes.map(function () { return []; });
  deps.forEach(function (targets, id) { targets.forEach(function (t) { dependents[t].push(id); }); });
  function depth(id) {
    if (layer[id] === undefined) {
      layer[id] = 0;
      var deepest = -1;
      deps[id].forEach(function (t) { var d = depth(t); if (d > deepest) deepest = d; });
      layer[id] = deepest + 1;
    }
    return layer[id];
  }
  order.forEach(depth);
  var layers = [];
  order.forEach(function (id) { (layers[layer[id]] = layers[layer[id]] || []).push(id); });
  var position = [];
  function place() { layers.forEach(function (ids) { ids.forEach(function (id, index) { position[id] = index; }); }); }
  place();
  function mean(ids, fallback) {
    if (ids.length === 0) return fallback;
    var sum = 0; ids.forEach(function (id) { sum += position[id]; }); return sum / ids.length;
  }
  for (var sweep = 0; sweep < 4; sweep++) {
    var forward = sweep % 2 === 0;
    var sequence = forward ? layers.slice(1) : layers.slice(0, -1).reverse();
    sequence.forEach(function (ids) {
      var keys = {};
      ids.forEach(function (id) { keys[id] = mean(forward ? deps[id] : dependents[id], position[id]); });
      ids.sort(function (a, b) { return keys[a] - keys[b] || a - b; });
      ids.forEach(function (id, index) { position[id] = index; });
    });
  }
  return { layers: layers, requested: requested, looked: looked, layer: layer };
}

function drawGraph(graph, states, critical, criticalEdges) {
  var box = clear(document.getElementById("graph"));
  var shape = layout(graph);
  var nodeHeight = 44, gapY = 18, gapX = 64, margin = 16;
  function subtitle(node) {
    var state = states[node.name] || "pending";
    return node.service !== node.name ? shorten(node.service, 40) + " \u00b7 " + state : state;
  }
  // text widths estimated from the font sizes (12.5 px bold names, 11 px subtitles)
  var widths = shape.layers.map(function (ids) {
    var widest = 0;
    ids.forEach(function (id) {
      var node = graph.nodes[id];
      widest = Math.max(widest, shorten(node.name, 34).length * 7.6, subtitle(node).length * 6.3);
    });
    return Math.max(120, Math.min(340, widest + 34));
  });
  var tallest = 0;
  shape.layers.forEach(function (ids) { tallest = Math.max(tallest, ids.length); });
  var height = tallest * (nodeHeight + gapY) - gapY + 2 * margin;
  var xs = [], x = margin;
  widths.forEach(function (width) { xs.push(x); x += width + gapX; });
  var width = x - gapX + margin;
  var where = [];
  shape.layers.forEach(function (ids, index) {
    var top = margin + (tallest - ids.length) * (nodeHeight + gapY) / 2;
    ids.forEach(function (id, row) { where[id] = { x: xs[index], y: top + row * (nodeHeight + gapY), w: widths[index] }; });
  });
  var svg = el("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": "component graph" });
  var defs = el("defs");
  [["arrow", "#9aa6b4"], ["arrow-critical", "#e8590c"]].forEach(function (spec) {
    var marker = el("marker", { id: spec[0], viewBox: "0 0 10 10", refX: 9, refY: 5, markerUnits: "userSpaceOnUse", markerWidth: 9, markerHeight: 9, orient: "auto-start-reverse" });
    marker.appendChild(el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: spec[1] }));
    defs.appendChild(marker);
  });
  svg.appendChild(defs);
  var edges = el("g", { "class": "edges" });
  var marked = [];
  // an edge from a component to what it depends on; a lookup during the build is drawn dashed
  function edge(id, target, lookup) {
    var from = where[id], to = where[target], name = graph.nodes[id].name, targetName = graph.nodes[target].name;
    var x1 = from.x, y1 = from.y + nodeHeight / 2, x2 = to.x + to.w, y2 = to.y + nodeHeight / 2;
    var bend = Math.max(24, (x1 - x2) / 2);
    var isCritical = criticalEdges[name + "\u0000" + targetName] === true;
    var path = el("path", {
      "class": "edge", d: "M " + x1 + " " + y1 + " C " + (x1 - bend) + " " + y1 + ", " + (x2 + bend) + " " + y2 + ", " + x2 + " " + y2,
      "marker-end": isCritical ? "url(#arrow-critical)" : "url(#arrow)",
      "data-from": name, "data-to": targetName, "data-critical": isCritical, "data-lookup": lookup
    });
    if (isCritical) marked.push(path);
    else edges.appendChild(path);
  }
  graph.nodes.forEach(function (node) {
    shape.requested[node.id].forEach(function (target) { edge(node.id, target, false); });
    shape.looked[node.id].forEach(function (target) { edge(node.id, target, true); });
  });
  marked.forEach(function (path) { edges.appendChild(path); });
  svg.appendChild(edges);
  graph.nodes.forEach(function (node) {
    var at = where[node.id], state = states[node.name] || "pending", colours = stateColours[state] || stateColours.pending;
    var group = el("g", { "class": "node", "data-name": node.name, "data-state": state, "data-critical": critical[node.name] === true, transform: "translate(" + at.x + "," + at.y + ")" });
    group.appendChild(el("title", {}, node.name + " (" + node.service + "): " + state));
    group.appendChild(el("rect", { width: at.w, height: nodeHeight, rx: 7, fill: colours[0], stroke: colours[1] }));
    group.appendChild(el("circle", { cx: 12, cy: 14, r: 4, fill: colours[1] }));
    group.appendChild(el("text", { "class": "name", x: 22, y: 18 }, shorten(node.name, 34)));
    group.appendChild(el("text", { "class": "sub", x: 22, y: 34 }, subtitle(node)));
    group.addEventListener("click", function () { showDetails(node.name); });
    svg.appendChild(group);
  });
  box.appendChild(svg);
}

function showDetails(name) {
  var panel = document.getElementById("details");
  panel.style.display = "block";
  clear(panel).appendChild(el("h3", {}, name));
  fetchJson("components/" + encodeURIComponent(name)).then(function (c) {
    var list = el("dl");
    // a value, or lines (one element each)
    function row(term, value) {
      list.appendChild(el("dt", {}, term));
      var cell = list.appendChild(el("dd", {}, typeof value === "string" ? value : undefined));
      if (typeof value !== "string") value.forEach(function (line) { cell.appendChild(el("div", {}, line)); });
    }
    row("service", c.service);
    if (c.qualifiers.length) row("qualifiers", c.qualifiers.join(", "));
    // each choice as Explain's text says it (the server renders it)
    row("chosen", c.chosenBy.length ? c.chosenBy.map(function (x) { return x.text; }) : "-");
    row("depends on", c.dependencies.map(function (d) {
      var targets = d.components.join(", ");
      return d.components.length === 0 ? d.request + " (absent)" : targets === d.request ? targets : d.request + " \u2192 " + targets;
    }).join("; ") || "-");
    row("dependents", c.dependents.join(", ") || "-");
    row("state", c.state + (c.startup !== null ? " \u00b7 startup " + c.startup : ""));
    row("phases", c.phases.map(function (p) { return p.phase + " " + ms(p.duration) + (p.outcome !== "success" ? " " + p.outcome : ""); }).join(", ") || "-");
    panel.appendChild(list);
  }, function (error) { panel.appendChild(el("p", {}, error.message)); });
}

// ---- health
function drawHealth(health) {
  var body = clear(document.getElementById("health-rows"));
  health.components.forEach(function (component) {
    component.checks.forEach(function (check, index) {
      var row = el("tr", { "data-check": check.id, "data-status": check.status });
      if (index === 0) {
        var name = el("td", { rowspan: component.checks.length }, component.name);
        var state = el("td", { rowspan: component.checks.length }, component.state);
        var status = el("td", { rowspan: component.checks.length });
        status.appendChild(el("span", { "class": "status " + component.status, "data-component-status": component.status }, component.status));
        row.appendChild(name); row.appendChild(state); row.appendChild(status);
      }
      row.appendChild(el("td", { "class": "check" }, check.readiness ? check.name + " (readiness)" : check.name));
      var result = el("td");
      result.appendChild(el("span", { "class": "status " + check.status }, check.status));
      row.appendChild(result);
      row.appendChild(el("td", { "class": "num" }, check.name === "phase" ? "" : ms(check.duration)));
      row.appendChild(el("td", { "class": "error" }, check.error || ""));
      row.appendChild(el("td", { "class": "details" }, check.details ? Object.keys(check.details).map(function (key) { return key + ": " + JSON.stringify(check.details[key]); }).join(", ") : ""));
      body.appendChild(row);
    });
  });
}

// ---- containers: each one's components, its children indented under it
function drawContainers(root) {
  var section = document.getElementById("containers-section");
  section.hidden = root === null;
  if (root === null) return;
  var list = clear(document.getElementById("containers"));
  (function visit(container, depth) {
    var item = el("li", { "data-container": container.path.join("/") });
    item.style.paddingLeft = (depth * 20) + "px";
    item.appendChild(el("b", {}, container.path.length === 0 ? "root" : container.path.join("/")));
    item.appendChild(document.createTextNode(container.state === "open" ? ": " : " (" + container.state + "): "));
    container.components.forEach(function (c, index) {
      var status = c.shutDown ? "shut-down" : c.built ? "built" : "not-built";
      if (index > 0) item.appendChild(document.createTextNode(" "));
      item.appendChild(el("span", { "class": "held " + status, "data-component": c.name, "data-status": status, title: c.service + " \u00b7 " + c.lifetime + " \u00b7 " + status.replace("-", " ") }, c.name));
    });
    list.appendChild(item);
    container.children.forEach(function (child) { visit(child, depth + 1); });
  })(root, 0);
}

// ---- the startup timeline
function drawTimeline(startup) {
  var box = clear(document.getElementById("timeline"));
  var rows = startup.components.filter(function (c) { return c.phases.length > 0; });
  rows.sort(function (a, b) { return a.phases[0].at - b.phases[0].at; });
  var onPath = {}, criticalComponents = {};
  startup.criticalPath.forEach(function (step) { onPath[step.component + "/" + step.phase] = true; criticalComponents[step.component] = true; });
  var end = startup.duration;
  rows.forEach(function (c) { c.phases.forEach(function (p) { end = Math.max(end, p.at + p.duration); }); });
  end = end > 0 ? end : 1;
  var labelWidth = 0;
  rows.forEach(function (c) { labelWidth = Math.max(labelWidth, shorten(c.name, 36).length); });
  labelWidth = Math.min(280, labelWidth * 7.2 + 24);
  var rowHeight = 24, top = 28, plot = Math.max(420, Math.min(980, (box.clientWidth || 1000) - labelWidth - 40));
  var height = top + rows.length * rowHeight + 8;
  var svg = el("svg", { width: labelWidth + plot + 24, height: height, role: "img", "aria-label": "startup timeline" });
  function scale(t) { return labelWidth + t / end * plot; }
  var axis = el("g", { "class": "axis" });
  var step = Math.pow(10, Math.floor(Math.log10(end / 5)));
  [1, 2, 5, 10].some(function (k) { if (end / (step * k) <= 8) { step = step * k; return true; } return false; });
  for (var t = 0; t <= end + 1e-9; t += step) {
    axis.appendChild(el("line", { x1: scale(t), x2: scale(t), y1: top - 6, y2: height }));
    axis.appendChild(el("text", { x: scale(t), y: top - 10, "text-anchor": "middle" }, ms(t)));
  }
  svg.appendChild(axis);
  var centres = {};
  rows.forEach(function (c, index) {
    var y = top + index * rowHeight;
    var critical = criticalComponents[c.name] === true;
    var label = el("text", { "class": "row-label" + (critical ? " critical" : ""), x: labelWidth - 10, y: y + 16, "text-anchor": "end" }, shorten(c.name, 36));
    label.appendChild(el("title", {}, c.name));
    svg.appendChild(label);
    c.phases.forEach(function (p) {
      var isCritical = onPath[c.name + "/" + p.phase] === true;
      var x = scale(p.at), w = Math.max(2, scale(p.at + p.duration) - x);
      var bar = el("rect", {
        "class": "bar", x: x, y: y + 4, width: w, height: rowHeight - 8, fill: phaseColours[p.phase],
        "data-component": c.name, "data-phase": p.phase, "data-critical": isCritical, opacity: isCritical ? 1 : 0.8
      });
      bar.appendChild(el("title", {}, c.name + " " + p.phase + ": " + ms(p.duration) + " (at " + ms(p.at) + ", " + p.outcome + ")"));
      svg.appendChild(bar);
      centres[c.name + "/" + p.phase] = { x: x, w: w, y: y + rowHeight / 2 };
    });
  });
  // a step with no bar (a component without start hooks starts in no time): a diamond on its row
  var rowOf = {};
  rows.forEach(function (c, index) { rowOf[c.name] = index; });
  startup.criticalPath.forEach(function (step) {
    var key = step.component + "/" + step.phase;
    if (centres[key] || rowOf[step.component] === undefined) return;
    var x = scale(step.at), y = top + rowOf[step.component] * rowHeight + rowHeight / 2;
    var diamond = el("path", { "class": "instant", d: "M " + x + " " + (y - 6) + " L " + (x + 6) + " " + y + " L " + x + " " + (y + 6) + " L " + (x - 6) + " " + y + " z",
      "data-component": step.component, "data-phase": step.phase, "data-critical": true });
    diamond.appendChild(el("title", {}, step.component + " " + step.phase + ": no start hooks, started at " + ms(step.at)));
    svg.appendChild(diamond);
    centres[key] = { x: x, w: 0, y: y };
  });
  for (var i = 1; i < startup.criticalPath.length; i++) {
    var from = centres[startup.criticalPath[i - 1].component + "/" + startup.criticalPath[i - 1].phase];
    var to = centres[startup.criticalPath[i].component + "/" + startup.criticalPath[i].phase];
    if (from && to) {
      var x1 = from.x + from.w, x2 = Math.max(to.x, x1);
      svg.appendChild(el("path", { "class": "link", d: "M " + x1 + " " + from.y + " L " + x2 + " " + to.y }));
    }
  }
  box.appendChild(svg);
  var summary = clear(document.getElementById("path-summary"));
  if (startup.criticalPath.length > 0) {
    summary.appendChild(document.createTextNode("Critical path: "));
    startup.criticalPath.forEach(function (step, index) {
      if (index > 0) summary.appendChild(document.createTextNode(" \u2192 "));
      summary.appendChild(el("b", {}, step.component));
      summary.appendChild(document.createTextNode(" " + step.phase + " " + ms(step.duration)));
    });
  }
}

// the critical path's components, and the edges it follows (each dependency or lookup step is one edge)
function criticalMarks(startup) {
  var nodes = {}, edges = {}, path = startup.criticalPath;
  path.forEach(function (step, index) {
    nodes[step.component] = true;
    if (index > 0 && (step.via === "dependency" || step.via === "lookup")) edges[step.component + "\u0000" + path[index - 1].component] = true;
  });
  return { nodes: nodes, edges: edges };
}

function header(health, startup) {
  var state = document.getElementById("state");
  state.textContent = health.state;
  state.className = "pill " + (health.state === "started" ? "good" : health.state === "stopped" ? "bad" : "wait");
  var healthy = document.getElementById("healthy");
  healthy.textContent = health.healthy ? "healthy" : "unhealthy";
  healthy.className = "pill " + (health.healthy ? "good" : "bad");
  document.getElementById("facts").textContent = health.components.length + " components \u00b7 startup " + ms(startup.duration) +
    " \u00b7 updated " + new Date(health.timestamp).toLocaleTimeString();
}

var renders = 0;
function refresh() {
  // the containers section is optional: not exposed, it is not drawn
  var containers = fetchJson("containers").then(null, function () { return null; });
  Promise.all([fetchJson("graph"), fetchJson("health"), fetchJson("startup"), containers]).then(function (all) {
    var graph = all[0], health = all[1], startup = all[2];
    var states = {};
    health.components.forEach(function (c) { states[c.name] = c.state; });
    var marks = criticalMarks(startup);
    header(health, startup);
    drawGraph(componentsOnly(graph, startup), states, marks.nodes, marks.edges);
    drawHealth(health);
    drawTimeline(startup);
    drawContainers(all[3]);
    document.getElementById("problem").style.display = "none";
    document.body.setAttribute("data-rendered", String(++renders));
  }, function (error) {
    var problem = document.getElementById("problem");
    problem.textContent = "Cannot read the ops API: " + error.message;
    problem.style.display = "block";
  });
}
refresh();
setInterval(refresh, 5000);
`

const legend = Object.entries({
  pending: ["#eef1f4", "#7b8794"],
  "building / starting": ["#fff4d6", "#d98e04"],
  built: ["#eaf1ff", "#4c7ef3"],
  started: ["#e3f5ea", "#2e9e5b"],
  "stopped / released": ["#e6e9ed", "#5b6b7b"],
  failed: ["#fde8e8", "#d64545"]
}).map(([label, [fill, stroke]]) => `<span><i style="background:${fill};border-color:${stroke}"></i>${label}</span>`).join("")

/** The ops page. @internal */
export const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>layerwise ops</title>
<style>${style}</style>
</head>
<body>
<header>
  <h1>layerwise <span>ops</span></h1>
  <span id="state" class="pill">…</span>
  <span id="healthy" class="pill">…</span>
  <span id="facts" class="facts"></span>
  <span class="links"><a href="graph">graph JSON</a><a href="graph.mmd">Mermaid</a><a href="startup">startup JSON</a><a href="health">health JSON</a></span>
</header>
<p id="problem"></p>
<main>
  <section>
    <h2>Components</h2>
    <p class="note">Left to right in build order: each component after its dependencies; arrows point to dependencies (dashed: what a constructor looked up during the build). The critical path of the startup is outlined in orange. Click a component to explain it.</p>
    <div class="legend">${legend}<span><i style="background:#fff;border-color:#e8590c"></i>critical path</span></div>
    <div id="graph" class="scroll"></div>
    <div id="details"></div>
  </section>
  <section>
    <h2>Startup timeline</h2>
    <p class="note">Per component its build, initialize and start phases since the run began. Orange outlines: the chain of phases that decided when the startup ended.</p>
    <div class="legend"><span><i style="background:var(--build);border-color:var(--build)"></i>build</span><span><i style="background:var(--initialize);border-color:var(--initialize)"></i>initialize</span><span><i style="background:var(--start);border-color:var(--start)"></i>start</span><span><i style="background:#fff;border-color:#e8590c"></i>critical path</span></div>
    <div id="timeline" class="scroll"></div>
    <p id="path-summary" class="path-summary"></p>
  </section>
  <section>
    <h2>Health</h2>
    <p class="note">Every component's <code>phase</code> check (healthy once it started) and its own health checks.</p>
    <div class="scroll"><table>
      <thead><tr><th>component</th><th>state</th><th>status</th><th>check</th><th>result</th><th>duration</th><th>error</th><th>details</th></tr></thead>
      <tbody id="health-rows"></tbody>
    </table></div>
  </section>
  <section id="containers-section" hidden>
    <h2>Containers</h2>
    <p class="note">What the running container and the children opened at run time hold: <span class="held built">built</span> <span class="held not-built">not built</span> <span class="held shut-down">shut down</span>.</p>
    <ul id="containers"></ul>
  </section>
</main>
<script>${script}</script>
</body>
</html>
`

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)

/** What `/ops/` answers when the sections the page reads are not all exposed. @internal */
export const notExposed = (missing: ReadonlyArray<string>): string => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>layerwise ops</title>
<style>body { font: 15px/1.5 system-ui, sans-serif; margin: 48px auto; max-width: 640px; color: #1d2733; } code { background: #f0f2f5; padding: 1px 5px; border-radius: 4px; }</style>
</head>
<body>
<h1>layerwise ops</h1>
<p id="not-exposed">The ops page needs the sections <code>graph</code>, <code>health</code> and <code>startup</code> exposed; not exposed here: ${
  missing.map((section) => `<code>${escapeHtml(section)}</code>`).join(", ")
}.</p>
<p>Expose them in the ops options, for instance <code>Ops.router({ expose: ["graph", "health", "startup"] })</code>, or <code>expose: "all"</code>. Liveness (<code>/ops/live</code>) and readiness (<code>/ops/ready</code>) are always exposed.</p>
</body>
</html>
`
