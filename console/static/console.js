// The console's pages. Patient text is only ever put on the page with
// textContent, never as HTML.
"use strict";

const csrfToken = () => document.querySelector('meta[name="csrf-token"]').content;

async function callApi(url, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    headers["X-CSRFToken"] = csrfToken();
  }
  const response = await fetch(url, { credentials: "same-origin", ...options, headers });
  if (response.status === 401) {
    window.location.reload(); // the session ended: the page redirects to the login
    throw new Error("Log in again.");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `Request failed (${response.status}).`);
  return body;
}

function cell(row, label, text, className) {
  const td = row.insertCell();
  td.textContent = text ?? "";
  td.dataset.label = label; // the heading beside the value when rows stack on a phone
  if (className) td.className = className;
  return td;
}

// Times are shown in the clinics' timezone, as on the request pages: "Today 09:12",
// "Mon 23 Nov 16:40", with the year only when it is not this year's.
function when(iso, timeZone) {
  if (!iso) return "";
  const time = new Date(iso);
  const day = (date, extra = {}) => date.toLocaleDateString("en-GB", { timeZone, ...extra });
  const clock = time.toLocaleTimeString("en-GB",
    { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone });
  if (day(time) === day(new Date())) return `Today ${clock}`;
  const sameYear = day(time, { year: "numeric" }) === day(new Date(), { year: "numeric" });
  const year = sameYear ? {} : { year: "numeric" };
  const date = day(time, { weekday: "short", day: "numeric", month: "short", ...year });
  return `${date.replace(",", "")} ${clock}`;
}

// The channel filter's option labels ("SMS" for "twilio") name the channels.
function channelLabel(form, channel) {
  const option = [...form.elements.channel.options].find((o) => o.value === channel);
  return option ? option.textContent : channel;
}

function link(href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

function queueRow(body, form, item, fresh) {
  const row = body.insertRow();
  row.className = [item.urgency === "normal" ? "" : "urgent", fresh ? "fresh" : ""].join(" ").trim();
  row.dataset.reference = item.reference;
  cell(row, "Reference", "").append(link(item.url, item.reference));
  cell(row, "Received", when(item.created_at, form.dataset.timezone));
  // Urgent records are all of kind "urgent": their level says more. The channel goes beneath.
  const type = item.urgency === "normal"
    ? cell(row, "Type", item.kind, "kind")
    : cell(row, "Type", item.urgency.toUpperCase(), "urgency");
  const channel = document.createElement("small");
  channel.textContent = channelLabel(form, item.channel);
  type.append(channel);
  cell(row, "Name", item.contact_name, "name");
  const phone = cell(row, "Phone", "", "phone");
  const dial = (item.contact_phone || "").replace(/[^\d+]/g, "");
  if (item.contact_phone) phone.append(link(`tel:${dial}`, item.contact_phone));
  const said = cell(row, "What they said", item.snippet, "snippet");
  said.title = item.snippet || "";
  cell(row, "Clinic", item.clinic_name || item.clinic_id, "clinic");
  cell(row, "Status", item.status, `status ${item.status}`);
}

// The queue page: filters and search in the URL, one page at a time, and a
// check for new requests every few seconds that keeps the page as it is.
function setUpQueue(form) {
  const table = document.getElementById("queue");
  const status = document.getElementById("queue-status");
  const pager = document.getElementById("pager");
  const pageLabel = document.getElementById("page-label");
  const seen = new Set();
  let loads = 0;
  let firstLoad = true;

  const query = () => {
    const params = new URLSearchParams(new FormData(form));
    for (const [key, value] of [...params]) if (!value) params.delete(key);
    return params;
  };

  async function load() {
    const mine = ++loads;
    const asked = query().toString();
    try {
      const result = await callApi(`${form.dataset.api}?${asked}`);
      if (mine !== loads) return; // a newer load is under way
      const body = table.tBodies[0];
      body.replaceChildren();
      for (const item of result.requests) {
        queueRow(body, form, item, !firstLoad && !seen.has(item.reference));
        seen.add(item.reference);
      }
      firstLoad = false;
      table.dataset.shown = asked; // what the rows are the answer to
      form.elements.page.value = result.page > 1 ? result.page : "";
      table.hidden = result.requests.length === 0;
      pager.hidden = result.pages < 2;
      pageLabel.textContent = `Page ${result.page} of ${result.pages}`;
      pager.querySelector('[data-step="-1"]').disabled = result.page <= 1;
      pager.querySelector('[data-step="1"]').disabled = result.page >= result.pages;
      const updated = new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit",
        timeZone: form.dataset.timezone });
      status.textContent = result.total
        ? `${result.total} request${result.total === 1 ? "" : "s"} · updated ${updated}`
        : `No requests match · updated ${updated}`;
    } catch (error) {
      if (mine === loads) status.textContent = error.message;
    }
  }

  function reload(resetPage) {
    if (resetPage) form.elements.page.value = "";
    window.history.replaceState(null, "", `?${query()}`);
    load();
  }

  let typing;
  form.elements.q.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => reload(true), 300);
  });
  form.addEventListener("change", (event) => {
    if (event.target !== form.elements.q) reload(true);
  });
  form.addEventListener("submit", (event) => {
    if (event.submitter && event.submitter.formAction !== form.action) return; // the CSV export
    event.preventDefault();
    reload(true);
  });
  pager.addEventListener("click", (event) => {
    const step = Number(event.target.dataset.step || 0);
    if (!step) return;
    form.elements.page.value = Math.max(1, Number(form.elements.page.value || 1) + step);
    reload(false);
  });
  setInterval(() => { if (!document.hidden) load(); }, Number(form.dataset.refreshSeconds) * 1000);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) load(); });
  load();
}

function setUpAsk(form) {
  const status = document.getElementById("ask-status");
  const script = document.getElementById("ask-script");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "Asking…";
    script.replaceChildren();
    try {
      const { replies } = await callApi(form.dataset.api, {
        method: "POST",
        body: JSON.stringify({ question: form.elements.question.value }),
      });
      status.textContent = replies.length ? "Read this out:" : "The assistant had no answer.";
      for (const reply of replies) {
        const item = document.createElement("li");
        item.textContent = reply;
        script.append(item);
      }
    } catch (error) {
      status.textContent = error.message;
    }
  });
}

function setUpStatus(form) {
  const message = document.getElementById("status-message");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "Saving…";
    try {
      await callApi(form.dataset.api, {
        method: "POST",
        body: JSON.stringify({ status: form.elements.status.value }),
      });
      window.location.reload(); // shows the updated history
    } catch (error) {
      message.textContent = error.message;
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const filters = document.getElementById("filters");
  if (filters) setUpQueue(filters);
  const ask = document.getElementById("ask-form");
  if (ask) setUpAsk(ask);
  const status = document.getElementById("status-form");
  if (status) setUpStatus(status);
});
