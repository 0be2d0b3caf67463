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
    /** Seconds to send in a {@code Retry-After} header, or 0 for none. */
    final int retryAfter;

    ApiException(int status, String type, String message, String param, String code) {
        this(status, type, message, param, code, 0);
    }

    ApiException(int status, String type, String message, String param, String code, int retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfter = retryAfter;
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

    /** 503: every generation slot is busy and the waiting queue is full; try again after {@code retryAfter} s. */
    static ApiException overloaded(String message, int retryAfter) {
        return new ApiException(503, "server_error", message, null, "server_overloaded", retryAfter);
    }

    /** 400: a field the request sets to something this server does not do. */
    static ApiException unsupported(String param, String what) {
        return invalid(what + " is not supported by this server", param, "unsupported_parameter");
    }
}
