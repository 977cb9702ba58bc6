package dev.notify.stream;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class FrameQueueTest {

    @Test
    void givesFramesBackOldestFirstAndCountsTheirSize() {
        FrameQueue<String> q = FrameQueue.ofText();
        q.add("one");
        q.add("three");
        q.add("xy");
        assertThat(q.count()).isEqualTo(3);
        assertThat(q.size()).isEqualTo(10);
        assertThat(q.poll()).isEqualTo("one");
        assertThat(q.poll()).isEqualTo("three");
        assertThat(q.size()).isEqualTo(2);
        assertThat(q.poll()).isEqualTo("xy");
        assertThat(q.poll()).isNull();
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.size()).isZero();
    }

    @Test
    void measuresByteFramesInBytes() {
        FrameQueue<byte[]> q = FrameQueue.ofBytes();
        q.add("é".getBytes(StandardCharsets.UTF_8));
        assertThat(q.size()).isEqualTo(2);
    }

    @Test
    void keepsItsOrderWhenFramesComeAndGoInTurns() {
        FrameQueue<String> q = FrameQueue.ofText();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            q.add("a" + i);
            q.add("b" + i);
            out.append(q.poll()).append(' ');
        }
        while (!q.isEmpty()) {
            out.append(q.poll()).append(' ');
        }
        assertThat(out.toString().trim()).isEqualTo("a0 b0 a1 b1 a2 b2 a3 b3 a4 b4 a5 b5 a6 b6 a7 b7 a8 b8 a9 b9");
    }

    @Test
    void isOverTheLimitPastTheFrameCountOrTheSizeButOneFrameAlwaysFits() {
        FrameQueue<String> q = FrameQueue.ofText();
        q.add("x".repeat(1000));
        assertThat(q.overLimit(1, 10)).as("one frame, however large").isFalse();
        q.add("y");
        assertThat(q.overLimit(1, 10_000)).as("two frames, one allowed").isTrue();
        assertThat(q.overLimit(5, 10)).as("over the size").isTrue();
        assertThat(q.overLimit(5, 10_000)).isFalse();
    }

    @Test
    void clearForgetsEverything() {
        FrameQueue<String> q = FrameQueue.ofText();
        q.add("a");
        q.add("b");
        q.clear();
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.size()).isZero();
        assertThat(q.poll()).isNull();
    }

    @Test
    void aNewerFrameOfACollapseKeyReplacesTheOneStillWaitingAndGoesLast() {
        FrameQueue<String> q = FrameQueue.ofText();
        q.add("a:10%", "task:a");
        q.add("other");
        q.add("b:10%", "task:b");
        q.add("a:50%", "task:a");
        q.add("a:90%", "task:a");

        assertThat(q.count()).isEqualTo(3);
        assertThat(q.size()).isEqualTo("other".length() + "b:10%".length() + "a:90%".length());
        assertThat(q.poll()).isEqualTo("other");
        assertThat(q.poll()).isEqualTo("b:10%");
        assertThat(q.poll()).isEqualTo("a:90%");
        assertThat(q.poll()).isNull();
    }

    @Test
    void aFrameOfAKeyThatWasAlreadyWrittenIsNotReplacedByTheNextOne() {
        FrameQueue<String> q = FrameQueue.ofText();
        q.add("a:10%", "task:a");
        assertThat(q.poll()).isEqualTo("a:10%");
        q.add("a:20%", "task:a");
        q.add("x");
        q.add("a:30%", "task:a");

        assertThat(q.poll()).isEqualTo("x");
        assertThat(q.poll()).isEqualTo("a:30%");
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void replacingTheHeadKeepsTheRestInOrder() {
        FrameQueue<byte[]> q = FrameQueue.ofBytes();
        byte[] first = {1};
        byte[] second = {2};
        byte[] newest = {3};
        q.add(first, "k");
        q.add(second);
        q.add(newest, "k");

        assertThat(q.poll()).isSameAs(second);
        assertThat(q.poll()).isSameAs(newest);
        assertThat(q.poll()).isNull();
        assertThat(q.size()).isZero();
    }
}
