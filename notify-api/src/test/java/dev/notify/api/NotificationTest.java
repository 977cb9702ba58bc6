package dev.notify.api;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class NotificationTest {

    private static Notification.Builder valid() {
        return Notification.builder().recipient("u1");
    }

    @Nested
    @DisplayName("building")
    class Building {

        @Test
        void hasSensibleDefaults() {
            Notification n = valid().build();
            assertThat(n.id()).matches("[0-9a-f-]{36}");
            assertThat(n.type()).isEqualTo(NotificationType.INFO);
            assertThat(n.priority()).isEqualTo(Priority.NORMAL);
            assertThat(n.event()).isEqualTo("notification");
            assertThat(n.title()).isEmpty();
            assertThat(n.body()).isEmpty();
            assertThat(n.data()).isEmpty();
            assertThat(n.channels()).isEmpty();
            assertThat(n.topic()).isEmpty();
            assertThat(n.createdAt()).isNotNull();
        }

        @Test
        void generatesTimeOrderedUniqueIds() {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                ids.add(Notification.newId());
            }
            assertThat(ids).doesNotHaveDuplicates();
            assertThat(ids.get(0).charAt(14)).as("version 7").isEqualTo('7');
        }

        @Test
        void copiesEveryFieldThroughToBuilder() {
            Notification n = Notification.builder().recipients(List.of("a", "b", "a")).topic("task:abc123").event("task.progress")
                    .type(NotificationType.SUCCESS).priority(Priority.CRITICAL).title("T").body("B")
                    .data(Map.of("percent", 50, "nested", Map.of("list", List.of(1, "two", true))))
                    .template("welcome").channels(List.of("sse", "webhook")).scheduledAt(Instant.parse("2030-01-01T00:00:00Z"))
                    .expiresAt(Instant.parse("2030-01-02T00:00:00Z")).idempotencyKey("k1").metadata("source", "billing")
                    .createdAt(Instant.parse("2024-01-15T10:30:00Z")).build();
            assertThat(n.recipients()).containsExactly("a", "b");
            assertThat(n.toBuilder().build()).isEqualTo(n);
            assertThat(n.taskId()).contains("abc123");
        }

        @Test
        void isImmutableEvenWhenTheCallerKeepsChangingItsInputs() {
            Map<String, Object> data = new HashMap<>();
            List<Object> list = new ArrayList<>(List.of(1));
            data.put("list", list);
            Notification n = valid().data(data).build();
            data.put("late", true);
            list.add(2);
            assertThat(n.data()).containsOnlyKeys("list");
            assertThat(n.data().get("list")).isEqualTo(List.of(1));
            assertThatThrownBy(() -> n.data().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> n.recipients().add("x")).isInstanceOf(UnsupportedOperationException.class);
        }

        @Test
        void keepsNullValuesInsideDataBecauseJsonHasThem() {
            Map<String, Object> data = new HashMap<>();
            data.put("maybe", null);
            assertThat(valid().data(data).build().data()).containsEntry("maybe", null);
        }
    }

    @Nested
    @DisplayName("validation")
    class Validation {

        @Test
        void needsRecipientsOrATopic() {
            assertThatThrownBy(() -> Notification.builder().build()).hasMessageContaining("recipients and/or a topic");
            assertThat(Notification.builder().topic("news").build().recipients()).isEmpty();
        }

        @Test
        void keepsRecipientsOnceInTheOrderGivenWhetherOneOrMany() {
            assertThat(Notification.builder().recipient("a").recipient("a").build().recipients()).containsExactly("a");
            assertThat(Notification.builder().recipient("a").recipient("b").recipient("a").recipient("c").build().recipients())
                    .containsExactly("a", "b", "c");
            assertThat(Notification.builder().recipient("x").recipients(List.of("b", "a", "b")).build().recipients())
                    .as("replaced, not added to").containsExactly("b", "a");
            assertThat(Notification.builder().recipients(List.of("a", "b")).recipients(List.of("c")).build().recipients())
                    .containsExactly("c");
            assertThat(Notification.builder().recipient("a").recipients(List.of()).topic("t").build().recipients()).isEmpty();
            for (List<String> rs : List.of(List.<String>of(), List.of("a"), List.of("a", "b", "c"))) {
                Notification n = Notification.builder().recipients(rs).topic("t").channel("sse").metadata("k", "v").build();
                Notification copy = n.toBuilder().build();
                assertThat(copy).isEqualTo(n);
                assertThat(n.toBuilder().recipient("z").build().recipients()).containsExactlyElementsOf(
                        java.util.stream.Stream.concat(rs.stream(), java.util.stream.Stream.of("z")).toList());
                assertThat(n.toBuilder().channel("ws").build().channels()).containsExactly("sse", "ws");
                assertThat(n.recipients()).as("the copy's builder shares nothing with it").containsExactlyElementsOf(rs);
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"task.progress", "info", "task.progress-2", "a_b.c-d.e"})
        void acceptsDottedEventNames(String event) {
            assertThat(valid().event(event).build().event()).isEqualTo(event);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "task..progress", ".task", "task.", "task progress", "task\nevent: evil", "task\rx", "a/b", "tâche"})
        void refusesEventNamesThatAreNotDottedIdentifiers(String event) {
            assertThatThrownBy(() -> valid().event(event)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("event");
        }

        @Test
        void showsControlCharactersEscapedInErrors() {
            assertThatThrownBy(() -> valid().event("x\ndata: injected")).hasMessageContaining("\\u000a").hasMessageNotContaining("\n");
        }

        @Test
        void boundsEverySize() {
            assertThatThrownBy(() -> valid().event("e".repeat(129))).hasMessageContaining("at most 128");
            assertThatThrownBy(() -> valid().title("t".repeat(1001))).hasMessageContaining("title").hasMessageContaining("at most 1000");
            assertThatThrownBy(() -> valid().body("b".repeat(65_537))).hasMessageContaining("body");
            assertThatThrownBy(() -> valid().topic("t".repeat(257))).hasMessageContaining("topic");
            assertThatThrownBy(() -> valid().recipient("u".repeat(257))).hasMessageContaining("recipient");
            assertThatThrownBy(() -> valid().data(Map.of("big", "x".repeat(300_000)))).hasMessageContaining("larger than");
            String[] many = new String[Notification.MAX_RECIPIENTS + 1];
            Arrays.setAll(many, i -> "u" + i);
            assertThatThrownBy(() -> Notification.builder().recipients(Arrays.asList(many))).hasMessageContaining("10000 recipients");
        }

        @Test
        void refusesDataThatJsonCannotCarry() {
            assertThatThrownBy(() -> valid().data(Map.of("when", Instant.now()))).hasMessageContaining("data at data.when");
            assertThatThrownBy(() -> valid().data(Map.of("nan", Double.NaN))).hasMessageContaining("NaN");
            Map<String, Object> deep = new HashMap<>();
            Map<String, Object> cur = deep;
            for (int i = 0; i < 40; i++) {
                Map<String, Object> next = new HashMap<>();
                cur.put("n", next);
                cur = next;
            }
            Map<String, Object> finalDeep = deep;
            assertThatThrownBy(() -> valid().data(finalDeep)).hasMessageContaining("nested deeper");
        }

        @Test
        @DisplayName("numbers in data: any exponent is kept as it is, thousands of digits are refused (issue 13)")
        void refusesNumbersOfThousandsOfDigitsButKeepsHugeExponents() {
            Notification n = assertTimeoutPreemptively(java.time.Duration.ofSeconds(2),
                    () -> valid().data(Map.of("big", new java.math.BigDecimal("1e999999999"), "tiny", new java.math.BigDecimal("-1e-999999999"))).build());
            assertThat(n.data().get("big")).isEqualTo(new java.math.BigDecimal("1e999999999"));
            assertThat(valid().data(Map.of("n", new java.math.BigDecimal("9".repeat(1000)))).build().data()).containsKey("n");
            assertThatThrownBy(() -> valid().data(Map.of("n", new java.math.BigDecimal("9".repeat(1100)))))
                    .hasMessageContaining("data at data.n is a number of about").hasMessageContaining("at most 1000");
            assertThatThrownBy(() -> valid().data(Map.of("n", java.math.BigInteger.TEN.pow(5000))))
                    .hasMessageContaining("at most 1000");
        }

        @Test
        void refusesNullsWithTheFieldName() {
            assertThatThrownBy(() -> valid().event(null)).hasMessageContaining("event");
            assertThatThrownBy(() -> valid().recipient(null)).hasMessageContaining("recipient");
            assertThatThrownBy(() -> valid().recipients(null)).hasMessageContaining("recipients");
            assertThatThrownBy(() -> valid().channel(null)).hasMessageContaining("channel");
            assertThatThrownBy(() -> valid().type(null)).hasMessageContaining("type");
            assertThatThrownBy(() -> valid().priority(null)).hasMessageContaining("priority");
            assertThatThrownBy(() -> valid().metadata("k", null)).hasMessageContaining("metadata");
        }

        @Test
        void refusesRecipientsWithSpacesAroundOrControlCharacters() {
            assertThatThrownBy(() -> valid().recipient(" u2")).hasMessageContaining("recipient");
            assertThatThrownBy(() -> valid().recipient("u\u00002")).hasMessageContaining("control");
            assertThatThrownBy(() -> valid().recipient("  ")).hasMessageContaining("non-blank");
        }

        @Test
        void refusesANulCharacterInItsTextsWhichPostgresqlCannotStore() {
            assertThatThrownBy(() -> valid().title("a\u0000b")).hasMessageContaining("title").hasMessageContaining("U+0000");
            assertThatThrownBy(() -> valid().body("\u0000")).hasMessageContaining("body").hasMessageContaining("U+0000");
            assertThatThrownBy(() -> valid().idempotencyKey("k\u0000")).hasMessageContaining("idempotencyKey");
            assertThatThrownBy(() -> valid().metadata("k", "v\u0000")).hasMessageContaining("metadata");
            assertThat(valid().title("tab\tand\u0001 are kept").build().title()).isEqualTo("tab\tand\u0001 are kept");
        }

        @Test
        void refusesBadChannelNamesAndExpiryBeforeSchedule() {
            assertThatThrownBy(() -> valid().channel("SSE!")).hasMessageContaining("channel 'SSE!'");
            Instant t = Instant.parse("2030-01-01T00:00:00Z");
            assertThatThrownBy(() -> valid().scheduledAt(t).expiresAt(t).build()).hasMessageContaining("expiresAt");
        }

        @Test
        void parsesWireNamesOfEnumsIgnoringCaseAndNamesTheChoicesOtherwise() {
            assertThat(Priority.fromWire("HIGH")).isEqualTo(Priority.HIGH);
            assertThat(NotificationType.fromWire("success")).isEqualTo(NotificationType.SUCCESS);
            assertThat(DeliveryStatus.fromWire("retrying")).isEqualTo(DeliveryStatus.RETRYING);
            assertThatThrownBy(() -> Priority.fromWire("urgent")).hasMessageContaining("low, normal, high, critical");
            assertThatThrownBy(() -> NotificationType.fromWire(null)).hasMessageContaining("info, warning, error, success");
        }
    }

    @Test
    void identityGrantsTopicsAndPrefixPatterns() {
        Identity id = new Identity("u1", java.util.Set.of("task:*", "news"));
        assertThat(id.mayRead("task:abc123")).isTrue();
        assertThat(id.mayRead("task:*")).isTrue();
        assertThat(id.mayRead("news")).isTrue();
        assertThat(id.mayRead("newsletter")).isFalse();
        assertThat(id.mayRead("*")).isFalse();
        assertThat(new Identity("admin", java.util.Set.of("*")).mayRead("anything:at:all")).isTrue();
    }

    @Test
    void deliveryResultsCarryWhatTheAttemptLogNeeds() {
        DeliveryResult r = DeliveryResult.retryAfter("429", java.time.Duration.ofSeconds(30)).withStatusCode(429).withResponse("slow down");
        assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.RETRY);
        assertThat(r.retryAfter()).contains(java.time.Duration.ofSeconds(30));
        assertThat(r.statusCode()).hasValue(429);
        assertThat(r.response()).contains("slow down");
        assertThatThrownBy(() -> DeliveryResult.failed(" ")).hasMessageContaining("reason");
        assertThat(DeliveryResult.sent().isSent()).isTrue();
        DeliveryResult deferred = DeliveryResult.deferred("endpoint saturated", java.time.Duration.ofSeconds(1));
        assertThat(deferred.outcome()).isEqualTo(DeliveryResult.Outcome.DEFERRED);
        assertThat(deferred.retryAfter()).contains(java.time.Duration.ofSeconds(1));
        assertThatThrownBy(() -> DeliveryResult.deferred("x", java.time.Duration.ofSeconds(-1))).hasMessageContaining("negative");
        assertThatThrownBy(() -> DeliveryResult.deferred("x", null)).isInstanceOf(NullPointerException.class);
    }
}
