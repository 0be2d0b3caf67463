// The chat page of jllm serve: sends the conversation to /v1/chat/completions with stream: true and reads the
// server-sent events from the response body as they arrive; for a classification model it asks /v1/classify.
// When the server was started with an API key (/health says api_key_required) the page asks for it and sends it as
// OpenAI clients do (Authorization: Bearer KEY); it is kept for this tab only (sessionStorage).
"use strict";

const $ = (id) => document.getElementById(id);
const conversation = $("conversation");
const history = []; // {role, content} messages sent with every request
let server = null;  // the /health answer: model name, whether it is a classifier
let controller = null;

async function connect() {
  try {
    const response = await fetch("/health");
    server = await response.json();
    $("model").textContent = server.model + (server.classifier ? " (classifier)" : "") + " · context " + server.context_length;
    if (server.api_key_required) {
      $("key-field").hidden = false;
      $("api-key").value = sessionStorage.getItem("jllm-api-key") || "";
      if (!$("api-key").value) {
        $("status").textContent = "This server needs an API key: enter it at the top right.";
        $("api-key").focus();
      }
    }
    if (server.classifier) { // no sampling: the answer is a label
      $("message").placeholder = "Write a text to classify";
      document.body.classList.add("classifier");
    }
  } catch (e) {
    $("model").textContent = "server unreachable: " + e.message;
  }
}

$("api-key").addEventListener("input", () => {
  sessionStorage.setItem("jllm-api-key", $("api-key").value);
  $("status").textContent = "";
});

/** The headers of an API request: JSON, and the key when the server needs one. */
function headers() {
  const h = { "Content-Type": "application/json" };
  const key = $("api-key").value.trim();
  if (server && server.api_key_required && key) h.Authorization = "Bearer " + key;
  return h;
}

function bubble(kind, text) {
  const div = document.createElement("div");
  div.className = "message " + kind;
  div.textContent = text;
  conversation.appendChild(div);
  conversation.scrollTop = conversation.scrollHeight;
  return div;
}

function note(div, text) {
  const meta = document.createElement("span");
  meta.className = "meta";
  meta.textContent = text;
  div.appendChild(meta);
}

function busy(on) {
  $("send").disabled = on;
  $("stop").disabled = !on;
}

function settings() {
  const body = {
    temperature: Number($("temperature").value),
    top_k: Number($("top-k").value),
    max_tokens: Number($("max-tokens").value),
  };
  if ($("seed").value !== "") body.seed = Number($("seed").value);
  return body;
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    if (response.status === 401) {
      $("api-key").focus();
      return "API key refused (" + (body.error ? body.error.message : response.statusText) + "): enter the server's key at the top right.";
    }
    return body.error ? body.error.message : response.statusText;
  } catch (e) {
    return response.status + " " + response.statusText;
  }
}

async function chat(text) {
  history.push({ role: "user", content: text });
  const reply = bubble("assistant streaming", "");
  controller = new AbortController();
  busy(true);
  let content = "", finish = null;
  try {
    const response = await fetch("/v1/chat/completions", {
      method: "POST",
      headers: headers(),
      body: JSON.stringify({ model: server.model, messages: history, stream: true, ...settings() }),
      signal: controller.signal,
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) { // one event per blank-line-terminated block
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of event.split("\n")) {
          if (!line.startsWith("data: ")) continue;
          const data = line.slice(6);
          if (data === "[DONE]") continue;
          const chunk = JSON.parse(data);
          if (chunk.error) throw new Error(chunk.error.message);
          const choice = chunk.choices[0];
          if (choice.delta && choice.delta.content) {
            content += choice.delta.content;
            reply.textContent = content;
            conversation.scrollTop = conversation.scrollHeight;
          }
          if (choice.finish_reason) finish = choice.finish_reason;
        }
      }
    }
    note(reply, finish === "length" ? "stopped at max tokens" : "done");
    reply.dataset.finish = finish || "";
  } catch (e) {
    if (e.name === "AbortError") {
      note(reply, "stopped");
      reply.dataset.finish = "aborted";
    } else {
      bubble("error", e.message);
      reply.dataset.finish = "error";
    }
  } finally {
    reply.classList.remove("streaming");
    history.push({ role: "assistant", content });
    controller = null;
    busy(false);
  }
}

async function classify(text) {
  busy(true);
  try {
    const response = await fetch("/v1/classify", {
      method: "POST",
      headers: headers(),
      body: JSON.stringify({ model: server.model, input: text }),
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    const result = await response.json();
    const div = bubble("assistant", result.label);
    const list = document.createElement("ul");
    list.className = "probabilities";
    for (const [label, p] of Object.entries(result.probabilities)) {
      const item = document.createElement("li");
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.width = Math.round(p * 120) + "px";
      item.append(label + " " + (100 * p).toFixed(1) + "%", bar);
      list.appendChild(item);
    }
    div.appendChild(list);
    div.dataset.finish = "stop";
  } catch (e) {
    bubble("error", e.message);
  } finally {
    busy(false);
  }
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("message").value;
  if (!text.trim() || controller || !server) return;
  $("message").value = "";
  bubble("user", text);
  if (server.classifier) classify(text);
  else chat(text);
});

$("message").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});

$("stop").addEventListener("click", () => controller && controller.abort());

$("clear").addEventListener("click", () => {
  if (controller) controller.abort();
  history.length = 0;
  conversation.textContent = "";
});

connect();
