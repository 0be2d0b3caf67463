package dev.jllm.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Typed access to a request's JSON fields; a wrong type or a missing required field is a 400 naming the field. */
final class RequestFields {
    static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode body;

    private RequestFields(ObjectNode body) {
        this.body = body;
    }

    static RequestFields parse(String text) {
        JsonNode node;
        try {
            node = text == null || text.isBlank() ? null : JSON.readTree(text);
        } catch (IOException e) {
            String why = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw ApiException.invalid("We could not parse the JSON body of your request: " + why, null);
        }
        if (!(node instanceof ObjectNode object)) {
            throw ApiException.invalid("The request body must be a JSON object", null);
        }
        return new RequestFields(object);
    }

    boolean has(String name) {
        JsonNode v = body.get(name);
        return v != null && !v.isNull();
    }

    JsonNode node(String name) {
        return body.get(name);
    }

    String requiredString(String name) {
        if (!has(name)) throw ApiException.invalid("you must provide a '" + name + "' parameter", name);
        JsonNode v = body.get(name);
        if (!v.isTextual()) throw wrongType(name, "a string");
        return v.asText();
    }

    /** An integer in [min, max], or {@code fallback} when absent. */
    long integer(String name, long fallback, long min, long max) {
        if (!has(name)) return fallback;
        JsonNode v = body.get(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw wrongType(name, "an integer");
        long x = v.asLong();
        if (x < min || x > max) {
            throw ApiException.invalid(name + " must be between " + min + " and " + max + ", got " + x, name);
        }
        return x;
    }

    /** A number in [min, max] (both ends included unless {@code openMin}), or {@code fallback} when absent. */
    double number(String name, double fallback, double min, boolean openMin, double max) {
        if (!has(name)) return fallback;
        JsonNode v = body.get(name);
        if (!v.isNumber()) throw wrongType(name, "a number");
        double x = v.asDouble();
        if (!(openMin ? x > min : x >= min) || !(x <= max)) {
            throw ApiException.invalid(name + " must be " + (openMin ? "> " : ">= ") + fmt(min) + " and <= " + fmt(max)
                    + ", got " + v.asText(), name);
        }
        return x;
    }

    boolean bool(String name, boolean fallback) {
        if (!has(name)) return fallback;
        JsonNode v = body.get(name);
        if (!v.isBoolean()) throw wrongType(name, "a boolean");
        return v.asBoolean();
    }

    /** {@code stop}: absent, a string, or a list of up to 4 non-empty strings. */
    List<String> stops(String name) {
        List<String> stops = new ArrayList<>();
        if (!has(name)) return stops;
        JsonNode v = body.get(name);
        if (v.isTextual()) {
            stops.add(v.asText());
        } else if (v.isArray()) {
            for (JsonNode s : v) {
                if (!s.isTextual()) throw wrongType(name, "a string or a list of strings");
                stops.add(s.asText());
            }
        } else {
            throw wrongType(name, "a string or a list of strings");
        }
        if (stops.size() > 4) throw ApiException.invalid(name + " takes at most 4 strings, got " + stops.size(), name);
        if (stops.stream().anyMatch(String::isEmpty)) throw ApiException.invalid(name + " strings must not be empty", name);
        return stops;
    }

    static ApiException wrongType(String name, String expected) {
        return ApiException.invalid("'" + name + "' must be " + expected, name, "invalid_type");
    }

    private static String fmt(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }
}
