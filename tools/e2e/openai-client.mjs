// The official openai package against jllm serve: list models, complete and stream a chat, a legacy completion,
// and an unknown model's 404; with API_KEY (a server started with --api-key) also a wrong key's 401.
// Usage: node openai-client.mjs BASE_URL MODEL [API_KEY]  (BASE_URL like http://127.0.0.1:8080/v1)
import OpenAI from "openai";

const [baseURL, model, apiKey] = process.argv.slice(2);
if (!baseURL || !model) {
  console.error("usage: node openai-client.mjs BASE_URL MODEL [API_KEY]");
  process.exit(2);
}
const client = new OpenAI({ baseURL, apiKey: apiKey || "not-needed", maxRetries: 0, timeout: 120_000 });

function check(condition, message) {
  if (!condition) {
    console.error("openai-client: FAILED: " + message);
    process.exit(1);
  }
}

const models = await client.models.list();
check(models.data.some((m) => m.id === model), `GET /v1/models lists ${model}: ${JSON.stringify(models.data)}`);

const messages = [{ role: "system", content: "You are terse." }, { role: "user", content: "Say hello to the world." }];
const completion = await client.chat.completions.create({ model, messages, max_tokens: 16, temperature: 0 });
const reply = completion.choices[0].message.content;
check(completion.object === "chat.completion", "object is chat.completion: " + completion.object);
check(typeof reply === "string" && reply.length > 0, "the reply has text: " + JSON.stringify(completion));
check(["stop", "length"].includes(completion.choices[0].finish_reason), "finish_reason: " + completion.choices[0].finish_reason);
check(completion.usage.completion_tokens > 0 && completion.usage.prompt_tokens > 0, "usage: " + JSON.stringify(completion.usage));

const stream = await client.chat.completions.create({ model, messages, max_tokens: 16, temperature: 0, stream: true });
let streamed = "", chunks = 0, finish = null;
for await (const chunk of stream) {
  chunks++;
  streamed += chunk.choices[0]?.delta?.content ?? "";
  finish = chunk.choices[0]?.finish_reason ?? finish;
}
check(chunks > 2, "the stream came in several chunks: " + chunks);
check(streamed === reply, `the streamed reply equals the whole one (greedy): ${JSON.stringify(streamed)} vs ${JSON.stringify(reply)}`);
check(finish === completion.choices[0].finish_reason, "the stream ends with the same finish_reason: " + finish);

const legacy = await client.completions.create({ model, prompt: "Every effort moves you", max_tokens: 5, seed: 1 });
check(legacy.choices[0].text.length > 0 && legacy.usage.completion_tokens <= 5, "legacy completion: " + JSON.stringify(legacy));

try {
  await client.chat.completions.create({ model: "no-such-model", messages, max_tokens: 2 });
  check(false, "an unknown model is refused");
} catch (e) {
  check(e instanceof OpenAI.NotFoundError, "an unknown model is a NotFoundError, got " + e);
  check(e.code === "model_not_found", "error code model_not_found, got " + e.code);
}

if (apiKey) {
  const stranger = new OpenAI({ baseURL, apiKey: "wrong-" + apiKey, maxRetries: 0 });
  try {
    await stranger.models.list();
    check(false, "a wrong API key is refused");
  } catch (e) {
    check(e instanceof OpenAI.AuthenticationError, "a wrong API key is an AuthenticationError (401), got " + e);
    check(e.code === "invalid_api_key", "error code invalid_api_key, got " + e.code);
  }
}

console.log("openai-client: OK " + JSON.stringify({ reply, chunks, usage: completion.usage }));
