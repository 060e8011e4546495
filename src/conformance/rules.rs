//! The catalogue: every rule the checker applies, with a stable code, its severity under each
//! profile, a one-line explanation and where the rule comes from. `docs/rules.md` is generated
//! from this table (`cursor-harness rules --format md`) and a test keeps the two equal.

use serde::{Deserialize, Serialize};

use crate::capture::Contract;

/// How much a violation matters. Any `error` makes the request or response `breaks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// What part of the contract a rule protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// The request body against `CreateChatCompletionRequest`.
    Request,
    /// A non-streamed response against `CreateChatCompletionResponse` / `ErrorResponse`.
    Response,
    /// An event stream against SSE framing and `CreateChatCompletionStreamResponse`.
    Stream,
    /// What Cursor itself needs beyond the spec (`docs/evidence.md` §3).
    Cursor,
    /// What a gateway did to a request between its client and its provider (`legs`).
    Leg,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Request => "request",
            Category::Response => "response",
            Category::Stream => "stream",
            Category::Cursor => "cursor",
            Category::Leg => "leg",
        }
    }
}

/// Which rule set to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Mirrors what OpenAI's API accepts: unknown fields are errors.
    #[default]
    Strict,
    /// What many gateways accept: unknown fields are warnings, common omissions are tolerated.
    Lenient,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Strict => "strict",
            Profile::Lenient => "lenient",
        }
    }
}

macro_rules! catalogue {
    ($(
        $variant:ident = $code:literal, $category:ident, $strict:ident / $lenient:ident,
        [$($contract:ident),*], $summary:literal, $reference:literal;
    )*) => {
        /// A checker rule.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Rule { $($variant),* }

        impl Rule {
            /// Every rule, in catalogue order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// The stable code reports and scenario expectations use.
            pub fn code(self) -> &'static str {
                match self { $(Rule::$variant => $code),* }
            }

            pub fn category(self) -> Category {
                match self { $(Rule::$variant => Category::$category),* }
            }

            pub fn severity(self, profile: Profile) -> Severity {
                match (self, profile) {
                    $(
                        (Rule::$variant, Profile::Strict) => Severity::$strict,
                        (Rule::$variant, Profile::Lenient) => Severity::$lenient,
                    )*
                }
            }

            /// One line: what the rule checks and why it matters.
            pub fn summary(self) -> &'static str {
                match self { $(Rule::$variant => $summary),* }
            }

            /// Where the rule comes from (spec schema, API reference, SSE standard, Cursor
            /// evidence), for each contract that applies it.
            pub fn reference(self) -> &'static str {
                match self { $(Rule::$variant => $reference),* }
            }

            /// The contracts whose checks apply this rule.
            pub fn contracts(self) -> &'static [Contract] {
                match self { $(Rule::$variant => &[$(Contract::$contract),*]),* }
            }
        }
    };
}

catalogue! {
    RequestNotJson = "request.not-json", Request, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "The request body is not a JSON object.",
        "CreateChatCompletionRequest (type: object); Anthropic MessageCreateParams; Gemini GenerateContentRequest";
    RequestNoContract = "request.no-contract", Request, Info / Info,
        [],
        "No contract covers the endpoint (embeddings, files, …): only the body's dialect is named. `check --contract` chooses one.",
        "The endpoint rule of docs/capture-format.md (`contract`)";
    RequestDialect = "request.dialect", Request, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "The body is another API's request than the endpoint's contract (a Responses or Anthropic body at /chat/completions, a Chat body at /messages or at Gemini's :generateContent, …).",
        "CreateChatCompletionRequest; docs/evidence.md F9, F14; Anthropic MessageCreateParams; Gemini GenerateContentRequest";
    RequestLegacyCompletions = "request.legacy-completions", Request, Error / Error,
        [ChatCompletions],
        "The body is a legacy Completions request (`prompt`), not Chat Completions.",
        "CreateCompletionRequest vs CreateChatCompletionRequest";
    RequestMissingField = "request.missing-field", Request, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "A required field is missing (`model`, `messages`, a message's `content`, a tool message's `tool_call_id`; Anthropic's `max_tokens`, a block's `tool_use_id`; Gemini's `contents`, a `functionCall`'s `name`, …).",
        "CreateChatCompletionRequest.required; Anthropic MessageCreateParams Required[…] (anthropic-sdk-python types); Gemini field_behavior REQUIRED (contents, FunctionCall.name, FunctionResponse.name and response, …)";
    RequestUnknownField = "request.unknown-field", Request, Error / Warning,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "A field the contract does not define: at the top level for Chat (OpenAI answers 400 \"Unrecognized request argument\"), at any depth for Anthropic (400 \"Extra inputs are not permitted\") and Gemini (\"Invalid JSON payload received. Unknown name\", in lowerCamelCase or snake_case).",
        "CreateChatCompletionRequest.properties; Anthropic CreateMessageParams additionalProperties: false; Gemini v1beta Discovery (GenerateContentRequest and the messages it holds) and google-genai types";
    RequestNestedUnknownField = "request.nested-unknown-field", Request, Warning / Info,
        [ChatCompletions, Responses],
        "A field inside a message, part or tool that Chat Completions does not define (often another API's marker).",
        "ChatCompletionRequestMessage, ChatCompletionTool";
    RequestType = "request.type", Request, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "A field has the wrong JSON type (Gemini: by the proto3 JSON mapping, where integers may be strings and bytes are base64).",
        "CreateChatCompletionRequest property types; Anthropic MessageCreateParams types; proto3 JSON mapping";
    RequestEnum = "request.enum", Request, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "A field's value is not one the spec allows (Gemini enums match without regard to case).",
        "CreateChatCompletionRequest property enums; Anthropic MessageCreateParams Literal[…] types; Gemini v1beta Discovery enums";
    RequestRange = "request.range", Request, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "A number is outside the range the spec allows (Anthropic `temperature` 0–1; Gemini `temperature` 0–2, `thinkingBudget` from -1), or a list is longer than allowed (`stop` > 4, `tools` > 128, Gemini `stopSequences` > 5).",
        "CreateChatCompletionRequest minimum/maximum, maxItems; OpenAI 400 array_above_max_length; Anthropic Messages API reference (temperature 0.0–1.0); Gemini GenerationConfig, ThinkingConfig";
    RequestEmptyArray = "request.empty-array", Request, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "An array that must hold at least one item is empty (`messages`, content parts, `stop`, `tools`, an assistant's `tool_calls`; Gemini `contents`, a turn's `parts`).",
        "minItems: 1; OpenAI 400 empty_array for `tools` and `tool_calls`; Anthropic 400 \"at least one message is required\"; Gemini 400 \"contents.parts must not be empty\"";
    RequestNull = "request.null", Request, Warning / Info,
        [ChatCompletions, Responses],
        "An explicit null where the spec does not allow null (the live API may still accept it).",
        "CreateChatCompletionRequest (non-nullable properties)";
    RequestDeprecated = "request.deprecated", Request, Info / Info,
        [ChatCompletions, Responses],
        "A deprecated field (Chat: `max_tokens`, `functions`, `function_call`, `user`, `seed`, …; Responses: `truncation`, `user`, `prompt_cache_retention`).",
        "CreateChatCompletionRequest, CreateResponse: deprecated: true";
    RequestRole = "request.role", Request, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "A message role the contract does not know (Gemini's `model` in Chat; Chat's `tool` or `developer` in Anthropic, which has user, assistant and system; `assistant`, `system` or `function` in Gemini, which takes `user` and `model`).",
        "ChatCompletionRole; Anthropic MessageParam (user, assistant, system); Gemini Content.role, 400 \"Please use a valid role: user, model.\"";
    RequestAssistantEmptyContent = "request.assistant-empty-content", Request, Error / Error,
        [ChatCompletions],
        "An assistant message with `content: []`; OpenAI rejects it (\"Expected an array with minimum length 1\").",
        "ChatCompletionRequestAssistantMessage.content minItems: 1; docs/evidence.md F13";
    RequestContentPart = "request.content-part", Request, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "A content part whose type the message's role does not allow, or another API's block (input_text, tool_use in Chat; image_url, input_text in Anthropic, …); a Gemini part that holds no data field or more than one (`text`, `inlineData`, `functionCall`, …).",
        "ChatCompletionRequestMessageContentPart*; Anthropic ContentBlockParam; Gemini Part (oneof data), 400 \"required oneof field 'data' must have one initialized field\"";
    RequestToolCall = "request.tool-call", Request, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages],
        "A tool call in the history is malformed: a Chat `tool_calls` entry without `id`, `type` or `function.name`/`arguments` (a string), an Anthropic `tool_use` block without `id`/`name` or whose `input` is not an object.",
        "ChatCompletionMessageToolCall; Anthropic ToolUseBlockParam";
    RequestToolResultOrder = "request.tool-result-order", Request, Error / Warning,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "Tool results and tool calls do not pair up: a result answers no earlier call, or a call gets no answer (Anthropic: in the very next user message, tool_result blocks first; Gemini: a functionResponse turn right after its functionCall turn, one response per call, by name).",
        "OpenAI API behaviour: tool messages must answer a preceding assistant tool_calls; Anthropic 400 \"`tool_use` ids were found without `tool_result` blocks immediately after\" (anthropics/claude-code#5989), \"unexpected `tool_use_id` found in `tool_result` blocks\" (anthropics/claude-code#13460); Anthropic tool-use guide (tool_result blocks come first); Gemini 400 \"Please ensure that function response turn comes immediately after a function call turn\" and its siblings";
    RequestToolDefinition = "request.tool-definition", Request, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "A tool definition that is not the contract's shape (flat Responses tools or Anthropic `input_schema` in Chat; Chat's `function` wrapper in Anthropic; a Gemini tool of no kind), an unknown `type`, or a bad name or schema (Gemini: both `parameters` and `parametersJsonSchema`).",
        "ChatCompletionTool, CustomToolChatCompletions; docs/evidence.md F11; Anthropic ToolParam, ToolUnionParam, 400 \"String should match pattern '^[a-zA-Z0-9_-]{1,128}$'\" (home-assistant/core#147760); Gemini Tool, FunctionDeclaration";
    RequestToolChoice = "request.tool-choice", Request, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "`tool_choice` is not one of the contract's forms (Chat's strings or function object; Anthropic's object with type auto/any/tool/none), or names a tool that is not offered (Gemini: `allowedFunctionNames` naming an undeclared function, or set without mode ANY or VALIDATED).",
        "ChatCompletionToolChoiceOption; Anthropic ToolChoiceParam; Gemini FunctionCallingConfig";
    RequestResponseFormat = "request.response-format", Request, Error / Error,
        [ChatCompletions, Responses, Gemini],
        "The output format is not text, json_object or json_schema with a name (Chat: `response_format`; Responses: `text.format`, flat, with `name` and `schema`); Gemini: `responseSchema` and `responseJsonSchema` together, or either without `responseMimeType: application/json`.",
        "ResponseFormatText, ResponseFormatJsonSchema, ResponseFormatJsonObject; TextResponseFormatConfiguration; Gemini GenerationConfig.responseSchema";
    RequestStreamOptions = "request.stream-options", Request, Error / Warning,
        [ChatCompletions, Responses],
        "`stream_options` without `stream: true` (OpenAI answers 400), or with an option the contract does not define (Responses has no `include_usage`).",
        "ChatCompletionStreamOptions; ResponseStreamOptions";
    RequestInputItem = "request.input-item", Request, Error / Error,
        [Responses],
        "A Responses `input` item of an unknown `type`, or without the fields its type requires (`function_call` needs `call_id`, `name` and `arguments`; `reasoning` needs `id` and `summary`; …).",
        "InputItem, Item (each item's required fields)";
    RequestThinking = "request.thinking", Request, Error / Error,
        [AnthropicMessages, Gemini],
        "Extended thinking that the API refuses (Anthropic: `budget_tokens` below 1024 or not below `max_tokens`, or thinking with `temperature` other than 1, `top_k`, `top_p` below 0.95, or a `tool_choice` that forces tool use; Gemini: `thinkingBudget` and `thinkingLevel` together).",
        "Anthropic ThinkingConfigEnabledParam (\"Must be ≥1024 and less than `max_tokens`\"); extended-thinking guide, feature compatibility; 400 \"Thinking may not be enabled when tool_choice forces tool use\" (mastra-ai/mastra#7507); Gemini ThinkingConfig, 400 \"thinking_budget and thinking_level are not supported together\"";
    RequestContentEncoding = "request.content-encoding", Request, Error / Warning,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "The body's bytes are not what its `Content-Encoding` says (plain JSON labelled gzip, bytes no decoder reads): a server that decodes per the header refuses it, one that ignores the header hides the bug.",
        "RFC 9110 §8.4 Content-Encoding";
    ResponseNotJson = "response.not-json", Response, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini, Models],
        "The response body is not JSON.",
        "CreateChatCompletionResponse, ErrorResponse; Anthropic Message; Gemini GenerateContentResponse";
    ResponseMissingField = "response.missing-field", Response, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "A required field of the answer is missing (`chat.completion`: `id`, `object`, `created`, `model`, `choices`, …; Anthropic `message`: `id`, `type`, `role`, `content`, `model`, `stop_reason`, `usage`, a block's fields; Gemini: `candidates` unless the prompt was blocked, a candidate's `finishReason`).",
        "CreateChatCompletionResponse.required; Anthropic Message, ContentBlock (anthropic-sdk-python types); Gemini GenerateContentResponse";
    ResponseMissingNullable = "response.missing-nullable", Response, Warning / Info,
        [ChatCompletions, Responses, AnthropicMessages],
        "A field the spec requires but allows to be null is absent (Chat: `choices[].logprobs`, `message.refusal`; Responses: `error`, `incomplete_details`, `instructions`, …; Anthropic: `stop_sequence`); SDKs cope, strict validators do not.",
        "CreateChatCompletionResponse.choices.required; ChatCompletionResponseMessage.required; Response.required; Anthropic Message (stop_sequence: Optional)";
    ResponseType = "response.type", Response, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "A response field has the wrong type or value (`object`, `finish_reason`, `usage` counts; Anthropic `type`, `stop_reason`, a block's `type` or `input`; Gemini `finishReason`, `role`, `usageMetadata` counts, …).",
        "CreateChatCompletionResponse property types; Anthropic Message, StopReason, ContentBlock; Gemini GenerateContentResponse, Candidate";
    ResponseErrorEnvelope = "response.error-envelope", Response, Error / Warning,
        [ChatCompletions, Responses, AnthropicMessages, Gemini, Models],
        "A non-2xx body that is not the OpenAI error envelope `{error:{message,type,param,code}}`.",
        "ErrorResponse; Google's error body (google-genai errors.py: code, message, status)";
    ResponseErrorStatus = "response.error-status", Response, Warning / Warning,
        [ChatCompletions, Responses, AnthropicMessages, Gemini, Models],
        "The gateway answered with a non-2xx status (the message is quoted).",
        "docs/evidence.md F23";
    ResponseStreamMismatch = "response.stream-mismatch", Response, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "The request asked for a stream and got JSON, or asked for JSON and got a stream (Gemini asks by path, `:streamGenerateContent`; with `alt=sse` the answer is an event stream, without it one JSON array).",
        "CreateChatCompletionRequest.stream; Gemini streamGenerateContent";
    ResponseContentEncoding = "response.content-encoding", Response, Error / Warning,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "The body's bytes are not what its `Content-Encoding` says: a client that decodes per the header (every HTTP library) fails to read the answer.",
        "RFC 9110 §8.4 Content-Encoding";
    ResponseModelsList = "response.models-list", Response, Error / Error,
        [Models],
        "`GET /models` did not return `{object:\"list\", data:[{id, object:\"model\"}]}` (Cursor's Verify needs it).",
        "ListModelsResponse; docs/evidence.md F3";
    ResponseDialect = "response.dialect", Response, Error / Error,
        [Responses, AnthropicMessages, Gemini],
        "The JSON answer is in another API's shape than the contract's (a `chat.completion` from `/responses`, …): the contract's clients cannot read it.",
        "Response (object: response); Message (type: message); GenerateContentResponse";
    ResponseBlocked = "response.blocked", Response, Info / Info,
        [Gemini],
        "The prompt was blocked (`promptFeedback.blockReason`: no candidates) or a candidate stopped for safety, recitation or a blocklist: the client gets no answer, and this says why.",
        "Gemini GenerateContentResponse.promptFeedback.blockReason, Candidate.finishReason";
    StreamFraming = "stream.framing", Stream, Error / Warning,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "An SSE line that is not `data:`, `event:`, `id:`, `retry:` or a comment, or bytes that are not UTF-8.",
        "WHATWG HTML §9.2 event streams";
    StreamNotJson = "stream.not-json", Stream, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "An event's data is neither JSON nor `[DONE]` (often two events without a blank line between them).",
        "CreateChatCompletionStreamResponse; Gemini alt=sse (each event a JSON GenerateContentResponse)";
    StreamUnterminated = "stream.unterminated-event", Stream, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "The stream ends inside an event (no blank line after it): clients drop that event.",
        "WHATWG HTML §9.2 (dispatch on blank line)";
    StreamNoDone = "stream.no-done", Stream, Error / Error,
        [ChatCompletions],
        "The stream ends without `data: [DONE]`: it was cut, or the server forgot the terminator.",
        "Chat Completions streaming: terminated by data: [DONE]";
    StreamAfterDone = "stream.after-done", Stream, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages],
        "Data arrives after the stream's last event (Chat: `[DONE]`; Responses: `response.completed`, `.failed` or `.incomplete`; Anthropic: `message_stop`, after which only `ping` may come); clients have stopped reading. A `[DONE]` after a Responses terminal event is tolerated.",
        "Chat Completions streaming: terminated by data: [DONE]; Responses streaming: ends with the response's final state event; Anthropic streaming guide (message_stop ends the message)";
    StreamEventName = "stream.event-name", Stream, Warning / Info,
        [ChatCompletions],
        "A Chat Completions stream event carries an `event:` name; Chat streams use bare `data:` lines.",
        "Chat Completions streaming format";
    StreamEmpty = "stream.empty", Stream, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "The stream carries no events at all.",
        "CreateChatCompletionStreamResponse; Gemini alt=sse";
    StreamChunkShape = "stream.chunk-shape", Stream, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "A chunk or event misses a required field or has the wrong shape (Chat: `id`, `object: chat.completion.chunk`, `created`, `model`, `choices`, `delta`, `index`; Responses and Anthropic: `type` and the fields its event type requires, an `event:` name that is missing or differs from `type`; Gemini: each event a whole GenerateContentResponse).",
        "CreateChatCompletionStreamResponse.required; ResponseStreamEvent (each event's required fields); Anthropic RawMessageStreamEvent, anthropic-sdk-python _streaming.py (skips events with no name); Gemini GenerateContentResponse";
    StreamMissingFinishKey = "stream.missing-finish-key", Stream, Error / Warning,
        [ChatCompletions],
        "A choice omits `finish_reason`; the spec requires the key on every chunk (null until the end).",
        "CreateChatCompletionStreamResponse.choices.required";
    StreamConsistency = "stream.consistency", Stream, Error / Warning,
        [ChatCompletions],
        "`id` or `created` changes between chunks of one stream.",
        "CreateChatCompletionStreamResponse: same id and created on each chunk";
    StreamFinishReason = "stream.finish-reason", Stream, Error / Error,
        [ChatCompletions, AnthropicMessages, Gemini],
        "The finish reason (Chat `finish_reason`, Anthropic `message_delta` `stop_reason`, Gemini `finishReason`) has a value outside the enum, is set twice, or is never set (Gemini: or content follows it).",
        "CreateChatCompletionStreamResponse.choices.finish_reason; Anthropic RawMessageDeltaEvent, StopReason; Gemini Candidate.finishReason";
    StreamToolCallDelta = "stream.tool-call-delta", Stream, Error / Error,
        [ChatCompletions],
        "A tool-call delta without an integer `index`, or whose first fragment lacks `id` or `type`.",
        "ChatCompletionMessageToolCallChunk";
    StreamToolArguments = "stream.tool-arguments", Stream, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "A function tool call's argument fragments do not join into valid JSON (Anthropic: `input_json_delta` fragments must join into a JSON object; Gemini: `functionCall.args` must be a JSON object).",
        "ChatCompletionMessageToolCall.function.arguments; Anthropic streaming guide (input_json_delta); Gemini FunctionCall.args";
    StreamUsage = "stream.usage", Stream, Warning / Info,
        [ChatCompletions],
        "`stream_options.include_usage` was asked but no usage chunk (`choices: []`, `usage`) came before `[DONE]`, or usage was malformed.",
        "ChatCompletionStreamOptions.include_usage";
    StreamErrorEvent = "stream.error-event", Stream, Error / Error,
        [ChatCompletions, Responses, AnthropicMessages, Gemini],
        "An error arrived inside the stream (`{\"error\": …}` data, or an `error` event such as Anthropic's `overloaded_error`).",
        "openai-python _streaming.py; docs/evidence.md §3.5; Anthropic streaming guide (error events); google-genai _api_client.py";
    StreamExtension = "stream.extension", Stream, Info / Info,
        [ChatCompletions, AnthropicMessages],
        "A field the spec does not define in a chunk or delta (`reasoning_content`, `citations`, …), or an Anthropic event type it does not define: tolerated, reported.",
        "CreateChatCompletionStreamResponse; Anthropic versioning policy (clients must ignore unknown event types)";
    StreamDialect = "stream.dialect", Stream, Error / Error,
        [Responses, AnthropicMessages, Gemini],
        "The stream's events are another API's (Chat chunks from `/responses`, Responses events from `/messages`, …): the contract's clients cannot read them.",
        "ResponseStreamEvent; Anthropic streaming events; GenerateContentResponse chunks";
    StreamSequence = "stream.sequence", Stream, Error / Warning,
        [Responses],
        "An event without an integer `sequence_number`, or whose number does not follow the previous event's by one.",
        "ResponseStreamEvent.sequence_number (required on every event)";
    StreamEventOrder = "stream.event-order", Stream, Error / Warning,
        [Responses, AnthropicMessages],
        "The stream's lifecycle is out of order: it does not open with its start event (`response.created`, `message_start`), or an event refers to an item, part or content block that was never opened or is already closed (Anthropic: blocks start in index order and close before `message_delta`).",
        "Responses streaming lifecycle (response.created, output_item.added, content_part.added, deltas, .done); Anthropic streaming guide (event flow), anthropic-sdk-python lib/streaming accumulator";
    StreamTerminalEvent = "stream.terminal-event", Stream, Error / Error,
        [Responses, AnthropicMessages, Gemini],
        "The stream ends without its final event (Responses: `response.completed`, `response.failed` or `response.incomplete`; Anthropic: `message_stop`; Gemini: the event with `finishReason`, after which the connection closes) and without an error event: it was cut.",
        "ResponseCompletedEvent, ResponseFailedEvent, ResponseIncompleteEvent; Anthropic streaming guide (a stream ends with message_stop); Gemini Candidate.finishReason";
    StreamDeltaType = "stream.delta-type", Stream, Error / Error,
        [AnthropicMessages],
        "A `content_block_delta` whose delta type does not fit its block (`text_delta` on a `tool_use` block, …) or is unknown: the SDKs drop it.",
        "Anthropic RawContentBlockDelta (text_delta, input_json_delta, thinking_delta, signature_delta, citations_delta)";
    StreamForeignDone = "stream.foreign-done", Stream, Info / Info,
        [AnthropicMessages],
        "A `data: [DONE]` in a stream whose API has no such terminator: the SDKs skip it (it has no event name), but the provider never sends it, so a gateway translated the stream.",
        "Anthropic streaming guide (no [DONE]); anthropic-sdk-python _streaming.py";
    StreamNonDataLine = "stream.non-data-line", Stream, Error / Warning,
        [Gemini],
        "A Gemini stream line other than `data: …` or a blank line (an SSE comment keep-alive, `event:`, `id:`, `data:` without its space): legal SSE, but google-genai reads it as JSON and raises.",
        "google-genai 3.6.1 _api_client.py (reads only `data: ` lines, tested); Gemini alt=sse streaming";
    StreamDoneSentinel = "stream.done-sentinel", Stream, Error / Warning,
        [Gemini],
        "`data: [DONE]` in a Gemini stream: Google never sends one (the stream ends when the connection closes), and unlike Anthropic's SDK (`stream.foreign-done`) google-genai does not skip it but raises UnknownApiResponseError, after the answer.",
        "Gemini alt=sse streaming; google-genai 3.6.1 _api_client.py (tested)";
    StreamClosedAfterEnd = "stream.closed-after-end", Stream, Info / Info,
        [ChatCompletions],
        "The connection ended after the stream was complete (`[DONE]`, or a last event with a `finish_reason`): nothing was lost, so it is no transport failure (the OpenAI Python SDK closes right after `[DONE]`).",
        "WHATWG event stream; openai-python _streaming.py";
    CursorForeignStream = "cursor.foreign-stream", Cursor, Error / Error,
        [ChatCompletions],
        "The answer is a Responses-API or Anthropic event stream: Cursor parses only Chat Completions chunks and renders nothing.",
        "docs/evidence.md F20, §3.5";
    CursorForeignResponse = "cursor.foreign-response", Cursor, Error / Error,
        [ChatCompletions],
        "The JSON answer is a Responses, Anthropic or Gemini object, not `chat.completion`.",
        "docs/evidence.md F20";
    CursorToolCallName = "cursor.tool-call-name", Cursor, Error / Error,
        [ChatCompletions],
        "A tool call's first delta has no `function.name`: Cursor crashes (\"Cannot read properties of undefined (reading 'name')\").",
        "docs/evidence.md F21 (codex-proxy PR #708)";
    CursorToolCallType = "cursor.tool-call-type", Cursor, Error / Error,
        [ChatCompletions],
        "A tool call whose `type` is not `function` (e.g. the `custom` shape): Cursor only reads the function envelope.",
        "docs/evidence.md F21, §3.2";
    CursorApplyPatchWrapped = "cursor.apply-patch-wrapped", Cursor, Error / Error,
        [ChatCompletions],
        "ApplyPatch (a custom/freeform tool) arguments are JSON (`{}` or `{\"input\": …}`) instead of the raw patch text.",
        "docs/evidence.md F11, §3.2 (codex-proxy #707)";
    CursorApplyPatchText = "cursor.apply-patch-text", Cursor, Warning / Info,
        [ChatCompletions],
        "ApplyPatch arguments do not start with `*** Begin Patch`; Cursor's patch parser will reject them.",
        "docs/evidence.md F11";
    CursorFinishToolCalls = "cursor.finish-tool-calls", Cursor, Warning / Info,
        [ChatCompletions],
        "Tool calls were streamed but `finish_reason` is not `tool_calls`.",
        "docs/evidence.md §3.2";
    CursorReasoningHidden = "cursor.reasoning-hidden", Cursor, Info / Info,
        [ChatCompletions],
        "Reasoning arrives in `reasoning_content`/`reasoning`: tolerated, but Cursor does not show it.",
        "docs/evidence.md F22";
    LegSystemDropped = "leg.system-dropped", Leg, Error / Error,
        [],
        "The client's system prompt reached the provider nowhere: not as the provider's system field, not as a system or developer message.",
        "Meaning carried between legs; docs/evidence.md F14 (Cursor's `system` blocks)";
    LegSystemChanged = "leg.system-changed", Leg, Warning / Info,
        [],
        "The provider got a system prompt, but not the client's text in it.",
        "Meaning carried between legs";
    LegMessageDropped = "leg.message-dropped", Leg, Error / Error,
        [],
        "A user or assistant text of the client's conversation is not in the provider's request.",
        "Meaning carried between legs";
    LegImageDropped = "leg.image-dropped", Leg, Error / Error,
        [],
        "An image the client sent is not in the provider's request.",
        "Meaning carried between legs";
    LegToolDropped = "leg.tool-dropped", Leg, Error / Warning,
        [],
        "A tool the client offered is not offered to the provider.",
        "Meaning carried between legs";
    LegToolChanged = "leg.tool-changed", Leg, Warning / Info,
        [],
        "A tool reached the provider with another description or parameter schema.",
        "Meaning carried between legs";
    LegToolUntranslated = "leg.tool-untranslated", Leg, Error / Error,
        [],
        "Tools, tool calls or tool results reached the provider in the client's API's shape, which the provider's contract does not accept (Anthropic `input_schema` or `tool_use` blocks in a Chat body, …).",
        "The provider endpoint's contract; docs/rules.md request rules";
    LegPassedThrough = "leg.passed-through", Leg, Error / Error,
        [],
        "A field or part of the client's API reached the provider untranslated, into a body the provider's contract does not accept (a top-level `system` in a Chat body, …).",
        "The provider endpoint's contract; docs/rules.md request rules";
    LegToolCallLost = "leg.tool-call-lost", Leg, Error / Error,
        [],
        "A tool call of the client's history is not in the provider's request.",
        "Meaning carried between legs";
    LegToolResultLost = "leg.tool-result-lost", Leg, Error / Error,
        [],
        "A tool result of the client's history is not in the provider's request, or no longer answers its call.",
        "Meaning carried between legs";
    LegToolChoiceChanged = "leg.tool-choice-changed", Leg, Warning / Info,
        [],
        "The client's `tool_choice` reached the provider changed or not at all.",
        "Meaning carried between legs";
    LegParamDropped = "leg.param-dropped", Leg, Warning / Info,
        [],
        "A sampling parameter, token limit, stop sequence or reasoning effort the client set is not in the provider's request.",
        "Meaning carried between legs";
    LegParamChanged = "leg.param-changed", Leg, Warning / Info,
        [],
        "A sampling parameter, token limit, stop sequence or reasoning effort reached the provider with another value.",
        "Meaning carried between legs";
    LegCacheDropped = "leg.cache-dropped", Leg, Info / Info,
        [],
        "The client's prompt-cache markers (`cache_control`) are not in the provider's request.",
        "Meaning carried between legs";
    LegProviderRequestBreaks = "leg.provider-request-breaks", Leg, Error / Warning,
        [],
        "The request the gateway sent its provider breaks the contract of the provider's endpoint.",
        "The provider endpoint's contract";
    LegUnlikeReference = "leg.unlike-reference", Leg, Info / Info,
        [],
        "The Chat Completions request the gateway sent its provider departs from the reference translation of the client's request (`cursor-harness translate`): a field the reference drops was sent, one it sends was not, a custom tool takes other parameters, or the messages' roles differ.",
        "docs/translation.md";
    LegAnswerChanged = "leg.answer-changed", Leg, Error / Error,
        [],
        "The text the client received is not the text the provider answered.",
        "Meaning carried back between legs";
    LegAnswerToolCallLost = "leg.answer-tool-call-lost", Leg, Error / Error,
        [],
        "A tool call the provider answered with is not in what the client received, or its name or arguments changed.",
        "Meaning carried back between legs";
    LegAnswerFinishChanged = "leg.answer-finish-changed", Leg, Warning / Info,
        [],
        "The client's finish reason does not say what the provider's did (stop, tool calls, length).",
        "Meaning carried back between legs";
    LegAnswerUsageDropped = "leg.answer-usage-dropped", Leg, Warning / Info,
        [],
        "The provider reported token usage but the client, which asked for it, got none.",
        "Meaning carried back between legs";
}

impl Rule {
    /// Look a rule up by its code.
    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|rule| rule.code() == code)
    }
}

/// The catalogue as a Markdown page (what `docs/rules.md` holds).
pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "# Checker rules\n\n\
         Generated by `cursor-harness rules --format md`; a test fails when this page and the code differ.\n\n\
         Any `error` makes a request or response `breaks`. `strict` mirrors what the provider's API accepts; \
         `lenient` is what many gateways accept. Each exchange is judged by the contract of the endpoint its \
         request was sent to (`chat-completions`, `responses`, `anthropic-messages`, `gemini`, `models`); \
         the contracts column says which of them apply a rule, and `cursor` rules apply on the Chat \
         Completions leg only, where Cursor is the client.\n",
    );
    for category in [
        Category::Request,
        Category::Response,
        Category::Stream,
        Category::Cursor,
        Category::Leg,
    ] {
        out.push_str(&format!("\n## {}\n\n", category.as_str()));
        out.push_str(
            "| code | strict | lenient | contracts | what it means | reference |\n|---|---|---|---|---|---|\n",
        );
        for rule in Rule::ALL.iter().filter(|r| r.category() == category) {
            let contracts: Vec<&str> = rule.contracts().iter().map(|c| c.as_str()).collect();
            let contracts = if contracts.is_empty() {
                "(none)".to_owned()
            } else {
                contracts.join(", ")
            };
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} |\n",
                rule.code(),
                rule.severity(Profile::Strict).as_str(),
                rule.severity(Profile::Lenient).as_str(),
                contracts,
                rule.summary().replace('|', "\\|"),
                rule.reference().replace('|', "\\|"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_name_their_category() {
        let mut seen = std::collections::HashSet::new();
        for rule in Rule::ALL {
            assert!(seen.insert(rule.code()), "duplicate code {}", rule.code());
            assert!(
                rule.code()
                    .starts_with(&format!("{}.", rule.category().as_str())),
                "{} is not under {}",
                rule.code(),
                rule.category().as_str()
            );
            assert_eq!(Rule::from_code(rule.code()), Some(*rule));
        }
    }
}
