package dev.jllm.serve;

/**
 * A request that fails with an HTTP status and an OpenAI-style error body:
 * {@code {"error": {"message", "type", "param", "code"}}}.
 */
final class ApiException extends RuntimeException {
    final int status;
    final String type;
    final String param;
    final String code;

    ApiException(int status, String type, String message, String param, String code) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: the request is malformed or a field is missing or out of range. */
    static ApiException invalid(String message, String param) {
        return new ApiException(400, "invalid_request_error", message, param, null);
    }

    static ApiException invalid(String message, String param, String code) {
        return new ApiException(400, "invalid_request_error", message, param, code);
    }

    static ApiException unknownModel(String name) {
        return new ApiException(404, "invalid_request_error", "The model '" + name + "' does not exist",
                "model", "model_not_found");
    }

    /** 503: every generation slot is busy and the waiting queue is full. */
    static ApiException overloaded(String message) {
        return new ApiException(503, "server_error", message, null, "server_overloaded");
    }
}
