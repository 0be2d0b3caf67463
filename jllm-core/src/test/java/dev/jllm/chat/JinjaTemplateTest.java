package dev.jllm.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Jinja features one at a time, each rendered as transformers' Jinja2 environment renders it (trim_blocks,
 * lstrip_blocks, whitespace control, loop controls, namespace, slicing, Python's str/repr, tojson, filters, tests).
 */
class JinjaTemplateTest {

    @Test
    @SuppressWarnings("unchecked")
    void rendersAsJinja2() throws Exception {
        JsonNode golden;
        try (InputStream in = getClass().getResourceAsStream("chat_template_golden.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        Map<String, Object> vars = new ObjectMapper().convertValue(golden.get("jinja_vars"), Map.class);
        List<String> wrong = new ArrayList<>();
        for (JsonNode c : golden.get("jinja")) {
            String template = c.get("template").asText();
            String actual;
            try {
                actual = JinjaTemplate.parse(template).render(vars);
            } catch (TemplateException e) {
                actual = "ERROR " + e.getMessage();
            }
            String expected = c.has("text") ? c.get("text").asText() : "ERROR chat template: " + c.get("error").asText();
            if (!actual.equals(expected)) wrong.add(template + "\n  expected " + expected + "\n  actual   " + actual);
        }
        assertThat(wrong).isEmpty();
        assertThat(golden.get("jinja").size()).isGreaterThan(30);
    }

    @Test
    void errorsAreOneLineWithTheTemplatesLine() {
        assertThatThrownBy(() -> JinjaTemplate.parse("a\n{% if x %}b")).isInstanceOf(TemplateException.class)
                .hasMessage("chat template, line 2: missing {% elif / else / endif %}");
        assertThatThrownBy(() -> JinjaTemplate.parse("{{ x | nosuchfilter }}").render(Map.of("x", 1)))
                .hasMessage("chat template: no filter named 'nosuchfilter'");
        assertThatThrownBy(() -> JinjaTemplate.parse("{% while %}")).hasMessage("chat template, line 1: unsupported statement {% while %}");
        assertThatThrownBy(() -> JinjaTemplate.parse("{{ x.y.z }}").render(Map.of())).hasMessageContaining("undefined");
        assertThatThrownBy(() -> JinjaTemplate.parse("{{ 'a' + 1 }}").render(Map.of()))
                .hasMessage("chat template: unsupported operand types for +: 'str' and 'int'");
    }

    @Test
    void contentIsNeverRenderedAsATemplate() {
        assertThat(JinjaTemplate.parse("{{ m }}").render(Map.of("m", "{{ 7 * 6 }} {% if %}"))).isEqualTo("{{ 7 * 6 }} {% if %}");
    }
}
