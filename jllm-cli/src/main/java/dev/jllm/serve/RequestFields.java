package dev.jllm.serve;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Typed access to a request's JSON fields; a wrong type or a missing required field is a 400 naming the field. */
final class RequestFields {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Reads one JSON value and refuses anything after it ({@code {"a": 1} garbage}). */
    private static final ObjectReader STRICT = JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final ObjectNode body;

    private RequestFields(ObjectNode body) {
        this.body = body;
    }

    /**
     * The request's body as a JSON object. A body that cannot be read (a broken chunked encoding, a connection
     * that ends early) is a 400 here, rather than the empty 500 Javalin answers for an I/O failure; Javalin's
     * 413 for a body over its limit passes through.
     */
    static RequestFields parse(Context ctx) {
        String text;
        try {
            text = ctx.body();
        } catch (HttpResponseException e) {
            throw e;
        } catch (Exception e) { // Jetty's EofException or BadMessageException, thrown through Kotlin undeclared
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw ApiException.invalid("the request body could not be read: " + why, null, "malformed_body");
        }
        return parse(text);
    }

    static RequestFields parse(String text) {
        JsonNode node;
        try {
            node = text == null || text.isBlank() ? null : STRICT.readTree(text);
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

    /**
     * Refuses a field this server does not implement unless it is absent, null, or {@code harmless} (the value
     * that asks for nothing: false, 0, 1, "", [] or {} as the field's meaning has it).
     */
    void refuseUnless(String name, java.util.function.Predicate<JsonNode> harmless, String what) {
        if (has(name) && !harmless.test(body.get(name))) throw ApiException.unsupported(name, what);
    }

    static ApiException wrongType(String name, String expected) {
        return ApiException.invalid("'" + name + "' must be " + expected, name, "invalid_type");
    }

    private static String fmt(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }
}
