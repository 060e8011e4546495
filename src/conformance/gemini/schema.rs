//! The request messages of `generateContent`, as tables: every field name each message
//! defines (its lowerCamelCase JSON name; the snake_case proto name is accepted too, see
//! `walk.rs`), what its value holds, and which fields the API requires.
//!
//! Read off the v1beta Discovery document (revision 20260529) and widened by the names
//! google-genai 3.6.1 sends to the Gemini Developer API (its `_*_to_mldev` converters and the
//! types it passes through as they are): the SDK is newer than the document, and a name the
//! official SDK sends is one the API accepts. Messages the checker does not look into (the
//! built-in tools' settings, speech and image settings, media metadata) are [`Kind::Opaque`]:
//! their names are known where they sit, their contents only have to be objects.

/// What a field's value holds, by the proto3 JSON mapping.
#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    Str,
    Bool,
    /// int32/int64: an integer, or a string holding one.
    Int,
    /// float/double: a number, or a string holding one (`"NaN"`, `"Infinity"` too).
    Num,
    /// bytes: base64, standard or URL-safe, padded or not.
    Bytes,
    /// An enum by name (any case, as Google's parser takes it) or by number.
    Enum(&'static [&'static str]),
    /// `google.protobuf.Struct`: any JSON object.
    Struct,
    /// `google.protobuf.Value`: any JSON at all.
    Value,
    Message(&'static Message),
    /// `map<string, M>`: an object whose values are each an `M`.
    Map(&'static Message),
    /// A message this checker does not look into: it only has to be an object.
    Opaque,
}

#[derive(Debug)]
pub(super) struct Field {
    /// The lowerCamelCase JSON name.
    pub name: &'static str,
    pub kind: Kind,
    /// A repeated field: a JSON array of `kind`.
    pub repeated: bool,
}

#[derive(Debug)]
pub(super) struct Message {
    /// The message's name in the reference, for messages.
    pub name: &'static str,
    pub fields: &'static [Field],
    /// Fields the API refuses a message without.
    pub required: &'static [&'static str],
}

const fn one(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        repeated: false,
    }
}

const fn many(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        repeated: true,
    }
}

use Kind::{Bool, Bytes, Enum, Int, Map, Num, Opaque, Str, Struct, Value};

/// `GenerateContentRequest`. `model` is the path's (`models/M:generateContent`); a body may
/// repeat it, since it is a field of the message. `labels` and `continuationToken` are sent by
/// google-genai to the Developer API.
pub(super) static REQUEST: Message = Message {
    name: "GenerateContentRequest",
    fields: &[
        one("model", Str),
        many("contents", Kind::Message(&CONTENT)),
        one("systemInstruction", Kind::Message(&CONTENT)),
        many("tools", Kind::Message(&TOOL)),
        one("toolConfig", Kind::Message(&TOOL_CONFIG)),
        many("safetySettings", Kind::Message(&SAFETY_SETTING)),
        one("generationConfig", Kind::Message(&GENERATION_CONFIG)),
        one("cachedContent", Str),
        one(
            "serviceTier",
            Enum(&["unspecified", "standard", "flex", "priority"]),
        ),
        one("store", Bool),
        one("labels", Opaque),
        one("continuationToken", Value),
    ],
    required: &["contents"],
};

pub(super) static CONTENT: Message = Message {
    name: "Content",
    fields: &[many("parts", Kind::Message(&PART)), one("role", Str)],
    required: &[],
};

/// The `Part` fields of its `data` oneof: a part holds exactly one of them.
pub(super) const PART_DATA: &[&str] = &[
    "text",
    "inlineData",
    "functionCall",
    "functionResponse",
    "fileData",
    "executableCode",
    "codeExecutionResult",
    "toolCall",
    "toolResponse",
];

pub(super) static PART: Message = Message {
    name: "Part",
    fields: &[
        one("text", Str),
        one("inlineData", Kind::Message(&BLOB)),
        one("functionCall", Kind::Message(&FUNCTION_CALL)),
        one("functionResponse", Kind::Message(&FUNCTION_RESPONSE)),
        one("fileData", Kind::Message(&FILE_DATA)),
        one("executableCode", Kind::Message(&EXECUTABLE_CODE)),
        one("codeExecutionResult", Kind::Message(&CODE_EXECUTION_RESULT)),
        one("toolCall", Kind::Message(&TOOL_CALL)),
        one("toolResponse", Kind::Message(&TOOL_RESPONSE)),
        one("videoMetadata", Kind::Message(&VIDEO_METADATA)),
        one("thought", Bool),
        one("thoughtSignature", Bytes),
        one("partMetadata", Struct),
        one("mediaResolution", Opaque),
        one("audioTranscription", Opaque),
        one("mediaProcessing", Opaque),
        one("speechMetadata", Opaque),
        one("documentMetadata", Opaque),
        one("spreadsheetMetadata", Opaque),
        one("audioMetadata", Opaque),
    ],
    required: &[],
};

/// `Blob` (and `FunctionResponseBlob`). `displayName` is used with server-side tools.
static BLOB: Message = Message {
    name: "Blob",
    fields: &[
        one("mimeType", Str),
        one("data", Bytes),
        one("displayName", Str),
    ],
    required: &["mimeType", "data"],
};

static FILE_DATA: Message = Message {
    name: "FileData",
    fields: &[
        one("mimeType", Str),
        one("fileUri", Str),
        one("displayName", Str),
    ],
    required: &["fileUri"],
};

static FUNCTION_CALL: Message = Message {
    name: "FunctionCall",
    fields: &[one("id", Str), one("name", Str), one("args", Struct)],
    required: &["name"],
};

static FUNCTION_RESPONSE: Message = Message {
    name: "FunctionResponse",
    fields: &[
        one("id", Str),
        one("name", Str),
        one("response", Struct),
        many("parts", Kind::Message(&FUNCTION_RESPONSE_PART)),
        one("willContinue", Bool),
        one(
            "scheduling",
            Enum(&["SCHEDULING_UNSPECIFIED", "SILENT", "WHEN_IDLE", "INTERRUPT"]),
        ),
    ],
    required: &["name", "response"],
};

static FUNCTION_RESPONSE_PART: Message = Message {
    name: "FunctionResponsePart",
    fields: &[one("inlineData", Kind::Message(&BLOB))],
    required: &[],
};

static EXECUTABLE_CODE: Message = Message {
    name: "ExecutableCode",
    fields: &[
        one("id", Str),
        one("language", Enum(&["LANGUAGE_UNSPECIFIED", "PYTHON"])),
        one("code", Str),
    ],
    required: &["language", "code"],
};

static CODE_EXECUTION_RESULT: Message = Message {
    name: "CodeExecutionResult",
    fields: &[
        one("id", Str),
        one(
            "outcome",
            Enum(&[
                "OUTCOME_UNSPECIFIED",
                "OUTCOME_OK",
                "OUTCOME_FAILED",
                "OUTCOME_DEADLINE_EXCEEDED",
            ]),
        ),
        one("output", Str),
    ],
    required: &["outcome"],
};

const TOOL_TYPES: &[&str] = &[
    "TOOL_TYPE_UNSPECIFIED",
    "GOOGLE_SEARCH_WEB",
    "GOOGLE_SEARCH_IMAGE",
    "URL_CONTEXT",
    "GOOGLE_MAPS",
    "FILE_SEARCH",
];

static TOOL_CALL: Message = Message {
    name: "ToolCall",
    fields: &[
        one("id", Str),
        one("toolType", Enum(TOOL_TYPES)),
        one("args", Struct),
    ],
    required: &["toolType"],
};

static TOOL_RESPONSE: Message = Message {
    name: "ToolResponse",
    fields: &[
        one("id", Str),
        one("toolType", Enum(TOOL_TYPES)),
        one("response", Struct),
    ],
    required: &["toolType"],
};

static VIDEO_METADATA: Message = Message {
    name: "VideoMetadata",
    fields: &[
        one("startOffset", Str),
        one("endOffset", Str),
        one("fps", Num),
    ],
    required: &[],
};

/// The kinds of tool a `Tool` can hold (function declarations and the built-in tools).
pub(super) static TOOL: Message = Message {
    name: "Tool",
    fields: &[
        many("functionDeclarations", Kind::Message(&FUNCTION_DECLARATION)),
        one("googleSearchRetrieval", Opaque),
        one("codeExecution", Opaque),
        one("googleSearch", Opaque),
        one("computerUse", Opaque),
        one("urlContext", Opaque),
        one("fileSearch", Opaque),
        many("mcpServers", Opaque),
        one("googleMaps", Opaque),
    ],
    required: &[],
};

static FUNCTION_DECLARATION: Message = Message {
    name: "FunctionDeclaration",
    fields: &[
        one("name", Str),
        one("description", Str),
        one("parameters", Kind::Message(&SCHEMA)),
        one("parametersJsonSchema", Value),
        one("response", Kind::Message(&SCHEMA)),
        one("responseJsonSchema", Value),
        one(
            "behavior",
            Enum(&["UNSPECIFIED", "BLOCKING", "NON_BLOCKING"]),
        ),
    ],
    required: &["name"],
};

/// The Gemini `Schema`: a subset of OpenAPI 3.0's schema object, not JSON Schema
/// (`additionalProperties`, `$ref`, `const`, … are unknown names here).
pub(super) static SCHEMA: Message = Message {
    name: "Schema",
    fields: &[
        one(
            "type",
            Enum(&[
                "TYPE_UNSPECIFIED",
                "STRING",
                "NUMBER",
                "INTEGER",
                "BOOLEAN",
                "ARRAY",
                "OBJECT",
                "NULL",
            ]),
        ),
        one("format", Str),
        one("title", Str),
        one("description", Str),
        one("nullable", Bool),
        many("enum", Str),
        one("items", Kind::Message(&SCHEMA)),
        one("maxItems", Int),
        one("minItems", Int),
        one("properties", Map(&SCHEMA)),
        many("required", Str),
        one("minProperties", Int),
        one("maxProperties", Int),
        one("minimum", Num),
        one("maximum", Num),
        one("minLength", Int),
        one("maxLength", Int),
        one("pattern", Str),
        one("example", Value),
        many("anyOf", Kind::Message(&SCHEMA)),
        many("propertyOrdering", Str),
        one("default", Value),
    ],
    required: &[],
};

static TOOL_CONFIG: Message = Message {
    name: "ToolConfig",
    fields: &[
        one(
            "functionCallingConfig",
            Kind::Message(&FUNCTION_CALLING_CONFIG),
        ),
        one("retrievalConfig", Opaque),
        one("includeServerSideToolInvocations", Bool),
    ],
    required: &[],
};

static FUNCTION_CALLING_CONFIG: Message = Message {
    name: "FunctionCallingConfig",
    fields: &[
        one(
            "mode",
            Enum(&["MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"]),
        ),
        many("allowedFunctionNames", Str),
    ],
    required: &[],
};

static SAFETY_SETTING: Message = Message {
    name: "SafetySetting",
    fields: &[
        one(
            "category",
            Enum(&[
                "HARM_CATEGORY_UNSPECIFIED",
                "HARM_CATEGORY_DEROGATORY",
                "HARM_CATEGORY_TOXICITY",
                "HARM_CATEGORY_VIOLENCE",
                "HARM_CATEGORY_SEXUAL",
                "HARM_CATEGORY_MEDICAL",
                "HARM_CATEGORY_DANGEROUS",
                "HARM_CATEGORY_HARASSMENT",
                "HARM_CATEGORY_HATE_SPEECH",
                "HARM_CATEGORY_SEXUALLY_EXPLICIT",
                "HARM_CATEGORY_DANGEROUS_CONTENT",
                "HARM_CATEGORY_CIVIC_INTEGRITY",
            ]),
        ),
        one(
            "threshold",
            Enum(&[
                "HARM_BLOCK_THRESHOLD_UNSPECIFIED",
                "BLOCK_LOW_AND_ABOVE",
                "BLOCK_MEDIUM_AND_ABOVE",
                "BLOCK_ONLY_HIGH",
                "BLOCK_NONE",
                "OFF",
            ]),
        ),
    ],
    required: &["category", "threshold"],
};

/// `GenerationConfig`. The Discovery document lists the JSON Schema output schema as
/// `_responseJsonSchema` and calls `responseJsonSchema` "an internal detail"; google-genai
/// sends `responseJsonSchema`, so both are taken.
pub(super) static GENERATION_CONFIG: Message = Message {
    name: "GenerationConfig",
    fields: &[
        one("candidateCount", Int),
        many("stopSequences", Str),
        one("maxOutputTokens", Int),
        one("temperature", Num),
        one("topP", Num),
        one("topK", Int),
        one("seed", Int),
        one("responseMimeType", Str),
        one("responseSchema", Kind::Message(&SCHEMA)),
        one("_responseJsonSchema", Value),
        one("responseJsonSchema", Value),
        one("presencePenalty", Num),
        one("frequencyPenalty", Num),
        one("responseLogprobs", Bool),
        one("logprobs", Int),
        one("enableEnhancedCivicAnswers", Bool),
        many(
            "responseModalities",
            Enum(&["MODALITY_UNSPECIFIED", "TEXT", "IMAGE", "AUDIO"]),
        ),
        one("speechConfig", Opaque),
        one("thinkingConfig", Kind::Message(&THINKING_CONFIG)),
        one("imageConfig", Opaque),
        one(
            "mediaResolution",
            Enum(&[
                "MEDIA_RESOLUTION_UNSPECIFIED",
                "MEDIA_RESOLUTION_LOW",
                "MEDIA_RESOLUTION_MEDIUM",
                "MEDIA_RESOLUTION_HIGH",
            ]),
        ),
        one("responseFormat", Opaque),
        one("audioTranscriptionConfig", Opaque),
    ],
    required: &[],
};

static THINKING_CONFIG: Message = Message {
    name: "ThinkingConfig",
    fields: &[
        one("includeThoughts", Bool),
        one("thinkingBudget", Int),
        one(
            "thinkingLevel",
            Enum(&[
                "THINKING_LEVEL_UNSPECIFIED",
                "MINIMAL",
                "LOW",
                "MEDIUM",
                "HIGH",
            ]),
        ),
    ],
    required: &[],
};

/// Names of the Vertex AI flavour of the API that the Developer API refuses (google-genai
/// raises "only supported in … Agent Platform mode" before sending them).
pub(super) const VERTEX_ONLY: &[&str] = &[
    "routingConfig",
    "modelSelectionConfig",
    "audioTimestamp",
    "modelArmorConfig",
    "generationOutputConfig",
    "retrieval",
    "enterpriseWebSearch",
    "parallelAiSearch",
    "exaAiSearch",
    "partialArgs",
    "streamFunctionCallArguments",
    "method",
];

/// JSON Schema keywords the Gemini `Schema` does not have: the usual reason a tool's
/// parameters are refused ("Unknown name \"additionalProperties\" at
/// 'tools[0].function_declarations[0].parameters'").
pub(super) const JSON_SCHEMA_ONLY: &[&str] = &[
    "additionalProperties",
    "$schema",
    "$ref",
    "$defs",
    "$id",
    "$comment",
    "definitions",
    "const",
    "oneOf",
    "allOf",
    "not",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "patternProperties",
    "propertyNames",
    "uniqueItems",
    "examples",
    "if",
    "then",
    "else",
    "prefixItems",
    "contentEncoding",
    "contentMediaType",
];
