// The assistant writes plain text for every channel; the widget renders
// markdown (rasa-webchat's react-markdown). This turns a reply's text into
// markdown a visitor can act on:
// - phone numbers and 911 become tel: links, web addresses links;
// - request references (PT-MK6WQW) and opening hours (07:00-19:00) become
//   unbreakable spans (inline code, styled as plain text in clinic.css);
// - numbered lines ("1. Sit on a chair") become a list, "- " lines a bullet
//   list, lines after a line ending in a colon ("Here are the nearest
//   clinics:") a bullet list, one item per line, and the safety line a note
//   set apart at the end of the bubble.
(function () {
  "use strict";

  var MARKDOWN_LINK = /\[[^\]]+\]\([^)\s]+\)/g;
  var URL = /https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"]/g;
  var PHONE = /(?:\+1[\s.-]?)?(?:\(\d{3}\)|\b\d{3})[\s.-]?\d{3}[.-]\d{4}\b/g;
  var EMERGENCY = /\b911\b/g;
  var REFERENCE = /\b[A-Z]{2,4}-[A-Z0-9]{4,}\b/g;
  var HOURS = /\b\d{1,2}(?::\d{2})?\s?(?:am|pm|AM|PM)?\s?[-\u2013]\s?\d{1,2}(?::\d{2})?\s?(?:am|pm|AM|PM)?\b/g;
  var NUMBERED = /^\d{1,2}\.\s+/;
  var BULLET = /^[-*\u2022]\s+/;

  function telHref(number) {
    var digits = number.replace(/\D/g, "");
    return "tel:" + (digits.length === 10 ? "+1" + digits : "+" + digits);
  }

  // Each rule turns a match into markdown that later rules must not touch.
  var RULES = [
    [MARKDOWN_LINK, function (m) { return m; }],
    [URL, function (m) { return "[" + m + "](" + m + ")"; }],
    [PHONE, function (m) { return "[" + m + "](" + telHref(m) + ")"; }],
    [EMERGENCY, function () { return "[911](tel:911)"; }],
    [REFERENCE, function (m) { return "`" + m + "`"; }],
    [HOURS, function (m) { return "`" + m + "`"; }],
  ];

  function inline(text) {
    var pieces = [{ text: text, done: false }];
    RULES.forEach(function (rule) {
      var next = [];
      pieces.forEach(function (piece) {
        if (piece.done) {
          next.push(piece);
          return;
        }
        var last = 0;
        piece.text.replace(rule[0], function (match, offset) {
          next.push({ text: piece.text.slice(last, offset), done: false });
          next.push({ text: rule[1](match), done: true });
          last = offset + match.length;
          return match;
        });
        next.push({ text: piece.text.slice(last), done: false });
      });
      pieces = next;
    });
    return pieces.map(function (p) { return p.text; }).join("");
  }

  // Consecutive lines of one kind ("para", "numbered", "bullet", "safety") form a block.
  function blocks(lines, safetyLine) {
    var result = [];
    lines.forEach(function (line) {
      var kind = "para";
      if (safetyLine && line.trim() === safetyLine) kind = "safety";
      else if (NUMBERED.test(line)) kind = "numbered";
      else if (BULLET.test(line)) kind = "bullet";
      var open = result[result.length - 1];
      if (open && open.kind === kind && kind !== "safety") open.lines.push(line);
      else result.push({ kind: kind, lines: [line] });
    });
    return result;
  }

  function render(block) {
    var lines = block.lines.map(inline);
    if (block.kind === "safety") return "> " + lines[0];
    if (block.kind === "bullet") return lines.map(function (l) { return l.replace(BULLET, "- "); }).join("\n");
    // A lone numbered line is a sentence ("1 for Book a visit"), not a list.
    if (block.kind === "numbered" && lines.length < 2) return lines[0].replace(/^(\d+)\./, "$1\\.");
    var introduced = lines.findIndex(function (l, i) { return /:$/.test(l) && i + 2 < lines.length; });
    if (block.kind === "para" && introduced >= 0) {
      var items = lines.slice(introduced + 1).map(function (l) { return "- " + l; });
      return lines.slice(0, introduced + 1).join("\n") + "\n\n" + items.join("\n");
    }
    return lines.join("\n");
  }

  window.ClinicReplyMarkdown = function (text, safetyLine) {
    var lines = String(text).split("\n").filter(function (l) { return l.trim(); });
    return blocks(lines, safetyLine).map(render).join("\n\n");
  };
})();
