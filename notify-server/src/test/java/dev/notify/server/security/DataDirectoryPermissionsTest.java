package dev.notify.server.security;

import dev.notify.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue #13 item 7: the H2 database (webhook secrets included) and the generated secrets are readable by their owner only. */
@DisabledOnOs(OS.WINDOWS)
class DataDirectoryPermissionsTest {

    @Test
    void theDataDirectoryIsOwnerOnlyAndSoIsEveryFileInIt(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        try (TestServer server = TestServer.restart(data, s -> s.apiKey(null).jwtSecret(null))) {
            server.server().service();
        }

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
        List<Path> files;
        try (Stream<Path> all = Files.walk(data)) {
            files = all.filter(Files::isRegularFile).toList();
        }
        assertThat(files).anySatisfy(f -> assertThat(f.getFileName().toString()).endsWith(".mv.db"));
        for (Path f : files) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(f);
            assertThat(perms).as(f.toString()).doesNotContain(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
        }
    }
}
