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

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text ?? "";
  if (className) td.className = className;
  return td;
}

// Times are shown in the clinics' timezone, as on the request pages.
function when(iso, timeZone) {
  const options = { weekday: "short", day: "2-digit", month: "short", year: "numeric",
                    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone };
  return iso ? new Date(iso).toLocaleString("en-GB", options) : "";
}

// The channel filter's option labels ("SMS" for "twilio") name the channels.
function channelLabel(form, channel) {
  const option = [...form.elements.channel.options].find((o) => o.value === channel);
  return option ? option.textContent : channel;
}

async function loadQueue(form) {
  const table = document.getElementById("queue");
  const status = document.getElementById("queue-status");
  const query = new URLSearchParams(new FormData(form));
  try {
    const { requests } = await callApi(`${form.dataset.api}?${query}`);
    const body = table.tBodies[0];
    body.replaceChildren();
    for (const item of requests) {
      const row = body.insertRow();
      row.className = item.urgency === "normal" ? "" : "urgent";
      const link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.reference;
      cell(row, "").append(link);
      cell(row, when(item.created_at, form.dataset.timezone));
      cell(row, item.urgency === "normal" ? "" : item.urgency.toUpperCase(), "urgency");
      cell(row, item.kind);
      cell(row, item.clinic_name || item.clinic_id);
      cell(row, channelLabel(form, item.channel));
      cell(row, item.contact_name);
      cell(row, item.contact_phone);
      cell(row, item.status, `status ${item.status}`);
    }
    table.hidden = requests.length === 0;
    status.textContent = requests.length ? `${requests.length} request(s)` : "No requests match.";
  } catch (error) {
    status.textContent = error.message;
  }
}

function setUpQueue(form) {
  form.addEventListener("change", () => {
    window.history.replaceState(null, "", `?${new URLSearchParams(new FormData(form))}`);
    loadQueue(form);
  });
  loadQueue(form);
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
