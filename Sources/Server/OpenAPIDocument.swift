/// The OpenAPI 3 description of the HTTP API served at `GET /openapi.json`.
public enum OpenAPIDocument {
    /// The paths the router serves, with their methods (the tests check the document against them).
    public static let routes: [(method: String, path: String)] = [
        ("post", "/v1/decisions"), ("post", "/v1/rewards"), ("post", "/v1/events"), ("get", "/v1/policies"), ("get", "/v1/segments"),
        ("post", "/v1/policies/{id}/kill-switch"), ("post", "/v1/policies/{id}/reload"), ("post", "/v1/policies/{id}/rollback"), ("get", "/healthz"), ("get", "/readyz"), ("get", "/metrics"), ("get", "/openapi.json"),
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
           "excluded_actions": {"type": "array", "items": {"type": "string"}},
           "slots": {"type": "integer", "minimum": 1, "description": "Multi-slot decision: fill this many slots with distinct actions; each slot is logged as its own decision (slot 0 under event_id, slot k under event_id#k) with its probability given the earlier slots; send each slot's reward to its event id."}}},
         "DecisionResponse": {"type": "object", "required": ["event_id", "policy", "action_id", "probabilities", "model_version"], "properties": {
           "event_id": {"type": "string"}, "policy": {"type": "string"}, "action_id": {"type": "string"},
           "probabilities": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "probability": {"type": "number"}}}},
           "segment": {"type": "integer", "nullable": true}, "model_version": {"type": "integer"},
           "slots": {"type": "array", "description": "Present for multi-slot requests, in slot order.", "items": {"type": "object", "properties": {
             "slot": {"type": "integer"}, "event_id": {"type": "string"}, "action_id": {"type": "string"}, "probability": {"type": "number"},
             "probabilities": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "probability": {"type": "number"}}}}}}}}},
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
       "/v1/events": {"post": {"summary": "Raw touchpoint events, one JSON object per line (the attune segment event format: customer_id, timestamp, channel, type and type-specific fields), update each customer's profile and segment in real time; later decisions with that customer_id get the segment and any profile features the policy's feature_schema names. All lines are checked before any is applied. Needs segment_model in the serve configuration.",
         "requestBody": {"required": true, "content": {"application/x-ndjson": {"schema": {"type": "string"}},
           "application/json": {"schema": {"type": "object", "required": ["customer_id", "timestamp", "type"], "properties": {
             "customer_id": {"type": "string"}, "timestamp": {"oneOf": [{"type": "string", "format": "date-time"}, {"type": "number"}]},
             "channel": {"type": "string"}, "type": {"type": "string"}, "value": {"type": "number"}, "category": {"type": "string"},
             "duration_s": {"type": "number"}, "query": {"type": "string"}, "sku": {"type": "string"}, "text": {"type": "string"}}}}}},
         "responses": {"200": {"description": "Each event's customer and segment after it", "content": {"application/json": {"schema": {"type": "object", "required": ["accepted", "events"], "properties": {
             "accepted": {"type": "integer"}, "events": {"type": "array", "items": {"type": "object", "properties": {
               "customer_id": {"type": "string"}, "segment": {"type": "integer", "description": "-1 is noise (DBSCAN models)"},
               "changes": {"type": "array", "items": {"type": "string", "enum": ["segment_changed", "spend_jump", "engagement_drop"]}}}}}}}}}},
           "400": {"description": "A malformed event line (field events[i] or events[i].<field>); nothing applied", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
           "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
           "409": {"description": "No segment_model configured", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
           "413": {"$ref": "#/components/responses/TooLarge"}, "429": {"$ref": "#/components/responses/TooMany"}}}},
       "/v1/policies": {"get": {"summary": "Loaded policies: actions, features, reward window, model version, mode (online, apprentice, logging: set per policy in the serve configuration) and, in apprentice mode, {baseline, decisions, agreement_rate, rounds, estimated_value, standard_error, baseline_value}.",
         "responses": {"200": {"description": "{\"policies\": [...]}"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}}},
       "/v1/policies/{id}/kill-switch": {"post": {"summary": "Serve a fixed action instead of the policy (decisions stay logged with probability 1, learning continues); persisted in the data directory.",
         "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
         "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["enabled"], "additionalProperties": false,
           "properties": {"enabled": {"type": "boolean"}, "action": {"type": "string", "description": "The action to serve; the first catalog action when absent."}}}}}},
         "responses": {"200": {"description": "{\"policy\", \"kill_switch\": action or null}"}, "400": {"$ref": "#/components/responses/BadRequest"},
           "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
           "404": {"description": "Unknown policy", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
           "422": {"$ref": "#/components/responses/Unprocessable"}}}},
       "/v1/policies/{id}/reload": {"post": {"summary": "Re-read the policy's file and serve the new version (a fresh model from its prior, same mode, kill switch carried over); the replaced version and its learned model are kept for rollback. An invalid file is refused and the previous version keeps serving.",
         "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
         "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false}}}},
         "responses": {"200": {"description": "{\"policy\", \"status\": \"reloaded\" or \"unchanged\", \"fingerprint\", \"previous_fingerprint\", \"earlier_versions\"}"},
           "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
           "404": {"description": "Unknown policy", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
           "409": {"description": "The policy was not loaded from a file", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
           "422": {"description": "The new file is invalid (code invalid_policy, the message and field name the problem) or cannot replace the served version", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
       "/v1/policies/{id}/rollback": {"post": {"summary": "Serve the previous version again, with the model it had learned when it was replaced. The policy file is not rewritten: a later reload or restart reads the file.",
         "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
         "responses": {"200": {"description": "{\"policy\", \"status\": \"rolled_back\", \"fingerprint\", \"previous_fingerprint\", \"earlier_versions\"}"},
           "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
           "404": {"description": "Unknown policy", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
           "409": {"description": "No earlier version (code no_earlier_version)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
           "422": {"$ref": "#/components/responses/Unprocessable"}}}},
       "/v1/segments": {"get": {"summary": "Segmentations the loaded policies learn per segment, and the live segmentation model (method, count, rules, features, events ingested) when one is configured.",
         "responses": {"200": {"description": "{\"segmentations\": [...]}"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}}},
       "/metrics": {"get": {"summary": "Prometheus text: requests, latency histograms, decisions per action, rewards joined, default rewards, queue depths, model versions.",
         "responses": {"200": {"description": "text/plain; version=0.0.4"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}}},
       "/healthz": {"get": {"summary": "Liveness.", "security": [], "responses": {"200": {"description": "{\"status\": \"ok\"}"}}}},
       "/readyz": {"get": {"summary": "Readiness after recovery; 503 when checkpoints fail.", "security": [],
         "responses": {"200": {"description": "Ready"}, "503": {"description": "Degraded"}}}},
       "/openapi.json": {"get": {"summary": "This document.", "security": [], "responses": {"200": {"description": "OpenAPI 3 JSON"}}}}}}
    """#
}
