package dev.notify.store.jdbc;

import dev.notify.api.DeliveryStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The upgrade path of the embedded database: a data directory written by the H2 release Notify
 * shipped before (2.3.232, copied to target/h2-previous by the build) opens with the current one,
 * its migrations and rows intact. H2 changes its file format between some releases (2.1 to 2.2
 * did); when that happens again this test fails and the README's upgrade note must change.
 */
class H2UpgradeTest {

    @Test
    void aDataDirectoryWrittenByThePreviousH2ReleaseOpensWithTheCurrentOne(@TempDir Path dataDir) throws Exception {
        Path previousH2 = Path.of(System.getProperty("notify.test.h2-previous-jar", "target/h2-previous/h2.jar"));
        assertThat(previousH2).as("the previous H2 jar the build copies").isRegularFile();
        List<String> classpath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            classpath.add(Path.of(entry).getFileName().toString().matches("h2-[0-9.]+\\.jar") ? previousH2.toString() : entry);
        }
        assertThat(classpath).contains(previousH2.toString());

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", String.join(File.pathSeparator, classpath),
                H2UpgradeChild.class.getName(), dataDir.toString())
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output).contains("h2 2.3.232");
        assertThat(Files.readString(dataDir.resolve(JdbcStoreConfig.H2_FILE_NAME + ".mv.db"), StandardCharsets.ISO_8859_1))
                .as("the file header of H2 2.2/2.3").startsWith("H:2,").contains("format:3");

        try (JdbcNotificationStore store = JdbcNotificationStore.openH2(dataDir)) {
            assertThat(store.find("written-by-old-h2")).hasValueSatisfying(n -> assertThat(n.title()).isEqualTo("from before the upgrade"));
            assertThat(store.deliveries("written-by-old-h2")).singleElement()
                    .satisfies(d -> assertThat(d.status()).isEqualTo(DeliveryStatus.PENDING));
            assertThat(store.stats("alice").unread()).isEqualTo(1);
        }
    }
}
