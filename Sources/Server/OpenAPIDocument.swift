/// The OpenAPI 3 description of the HTTP API served at `GET /openapi.json`.
public enum OpenAPIDocument {
    /// The paths the router serves, with their methods (the tests check the document against them).
    public static let routes: [(method: String, path: String)] = [
        ("post", "/v1/decisions"), ("post", "/v1/rewards"), ("get", "/v1/policies"), ("get", "/v1/segments"),
        ("post", "/v1/policies/{id}/kill-switch"), ("get", "/healthz"), ("get", "/readyz"), ("get", "/metrics"), ("get", "/openapi.json"),
    ]

    /// The document.
    public static let json = #"""
    {"openapi": "3.0.3",
     "info": {"title": "Attune decision server", "version": "1",
              "description": "Personalizer-style rank and reward API. Decisions are durably logged before the reply. Errors are {\"error\": {\"code\", \"message\", \"field\"}}. With API keys configured, send Authorization: Bearer <key>; routes need the decide, reward or admin scope."},
     "servers": [{"url": "http://127.0.0.1:8080"}],
     "components": {
       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
       "schemas": {
         "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"],
           "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}}}}},
         "DecisionRequest": {"type": "object", "required": ["context"], "additionalProperties": false, "properties": {
           "policy": {"type": "string", "description": "Policy id; optional when one policy is loaded."},
           "event_id": {"type": "string", "maxLength": 256, "description": "Unique id; generated when absent."},
           "customer_id": {"type": "string"},
           "context": {"oneOf": [{"type": "object", "additionalProperties": {"type": "number"}}, {"type": "array", "items": {"type": "number"}}],
                       "description": "Named features of the policy's feature_schema, or the scaled vector of its context dimension."},
           "segment": {"type": "integer", "minimum": 0},
           "actions": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["id"], "additionalProperties": false,
                       "properties": {"id": {"type": "string"}, "features": {"type": "array", "items": {"type": "number"},
                       "description": "Must equal the catalog's features when given."}}}},
           "excluded_actions": {"type": "array", "items": {"type": "string"}}}},
         "DecisionResponse": {"type": "object", "required": ["event_id", "policy", "action_id", "probabilities", "model_version"], "properties": {
           "event_id": {"type": "string"}, "policy": {"type": "string"}, "action_id": {"type": "string"},
           "probabilities": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "probability": {"type": "number"}}}},
           "segment": {"type": "integer", "nullable": true}, "model_version": {"type": "integer"}}},
         "RewardRequest": {"type": "object", "required": ["event_id", "reward"], "additionalProperties": false, "properties": {
           "event_id": {"type": "string"}, "reward": {"type": "number"},
           "reward_id": {"type": "string", "description": "Distinguishes several rewards of one event; a repeated (event_id, reward_id) is ignored."}}},
         "RewardResponse": {"type": "object", "required": ["event_id", "status"], "properties": {
           "event_id": {"type": "string"}, "status": {"type": "string", "enum": ["joined", "late", "duplicate"]}}}},
       "responses": {
         "BadRequest": {"description": "Malformed JSON, unknown field, body too deep", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
         "Unauthorized": {"description": "Missing or unknown API key", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
         "Forbidden": {"description": "The key lacks the route's scope", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
         "TooLarge": {"description": "Body above the size limit", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
         "Unprocessable": {"description": "Valid JSON with bad values (dimension, NaN/infinite, unknown action, no eligible action)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
         "TooMany": {"description": "Rate limit exceeded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
         "Unavailable": {"description": "Storage failure or shutting down", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}},
     "security": [{"bearer": []}],
     "paths": {
       "/v1/decisions": {"post": {"summary": "Choose an action; the decision is logged durably before the reply.",
         "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DecisionRequest"}}}},
         "responses": {"200": {"description": "The decision", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DecisionResponse"}}}},
           "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
           "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"description": "Unknown policy", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
           "409": {"description": "event_id already logged", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
           "413": {"$ref": "#/components/responses/TooLarge"}, "422": {"$ref": "#/components/responses/Unprocessable"},
           "429": {"$ref": "#/components/responses/TooMany"}, "503": {"$ref": "#/components/responses/Unavailable"}}}},
       "/v1/rewards": {"post": {"summary": "Report a reward; joined within the policy's window, otherwise counted as late.",
         "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RewardRequest"}}}},
         "responses": {"200": {"description": "What happened to the reward", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RewardResponse"}}}},
           "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
           "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"description": "Unknown event id", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
           "413": {"$ref": "#/components/responses/TooLarge"}, "422": {"$ref": "#/components/responses/Unprocessable"},
           "429": {"$ref": "#/components/responses/TooMany"}, "503": {"$ref": "#/components/responses/Unavailable"}}}},
       "/v1/policies": {"get": {"summary": "Loaded policies: actions, features, reward window, model version.",
         "responses": {"200": {"description": "{\"policies\": [...]}"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}}},
       "/v1/policies/{id}/kill-switch": {"post": {"summary": "Serve a fixed action instead of the policy (decisions stay logged with probability 1, learning continues); persisted in the data directory.",
         "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
         "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["enabled"], "additionalProperties": false,
           "properties": {"enabled": {"type": "boolean"}, "action": {"type": "string", "description": "The action to serve; the first catalog action when absent."}}}}}},
         "responses": {"200": {"description": "{\"policy\", \"kill_switch\": action or null}"}, "400": {"$ref": "#/components/responses/BadRequest"},
           "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
           "404": {"description": "Unknown policy", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
           "422": {"$ref": "#/components/responses/Unprocessable"}}}},
       "/v1/segments": {"get": {"summary": "Segmentations the loaded policies learn per segment.",
         "responses": {"200": {"description": "{\"segmentations\": [...]}"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}}},
       "/metrics": {"get": {"summary": "Prometheus text: requests, latency histograms, decisions per action, rewards joined, default rewards, queue depths, model versions.",
         "responses": {"200": {"description": "text/plain; version=0.0.4"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}}},
       "/healthz": {"get": {"summary": "Liveness.", "security": [], "responses": {"200": {"description": "{\"status\": \"ok\"}"}}}},
       "/readyz": {"get": {"summary": "Readiness after recovery; 503 when checkpoints fail.", "security": [],
         "responses": {"200": {"description": "Ready"}, "503": {"description": "Degraded"}}}},
       "/openapi.json": {"get": {"summary": "This document.", "security": [], "responses": {"200": {"description": "OpenAPI 3 JSON"}}}}}}
    """#
}
