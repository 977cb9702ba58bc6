package dev.notify.web;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ProblemsTest {

    private static JsonObject parse(byte[] body) {
        try (var reader = Json.createReader(new ByteArrayInputStream(body))) {
            return reader.readObject();
        }
    }

    @Test
    void writesTheFourMembersInOrderWithATypeNamedAfterTheTitle() {
        byte[] body = Problems.body(400, "Malformed JSON", "unexpected end of input");

        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo(
                "{\"type\":\"https://notify.dev/problems/malformed-json\",\"title\":\"Malformed JSON\","
                        + "\"status\":400,\"detail\":\"unexpected end of input\"}");
    }

    @Test
    void anyDetailReadsBackExactlyThroughAJsonParser() {
        StringBuilder every = new StringBuilder();
        for (char c = 0; c < 0x80; c++) {
            every.append(c);
        }
        every.append("é ✓ \u2028 \uD83D\uDE00 \\\" \\u0000");

        JsonObject problem = parse(Problems.body(403, "Forbidden", every.toString()));

        assertThat(problem.getString("detail")).isEqualTo(every.toString());
        assertThat(problem.getInt("status")).isEqualTo(403);
        assertThat(problem.getString("type")).isEqualTo("https://notify.dev/problems/forbidden");
    }

    @Test
    void aMissingDetailIsJsonNull() {
        JsonObject problem = parse(Problems.body(500, "Internal Server Error", null));

        assertThat(problem.get("detail")).isEqualTo(JsonValue.NULL);
        assertThat(problem.getString("type")).isEqualTo("https://notify.dev/problems/internal-server-error");
    }
}
