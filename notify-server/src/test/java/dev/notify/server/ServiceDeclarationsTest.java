package dev.notify.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code module-info.java} is the truth for provided services; every module's
 * {@code META-INF/services} must say the same, or the shaded server jar and classpath users would
 * see other plugins than module-path users. Checks every module of the reactor from its sources.
 */
class ServiceDeclarationsTest {

    private static final Pattern PROVIDES = Pattern.compile("provides\\s+([\\w.]+)\\s+with\\s+([\\w.\\s,]+);");

    @Test
    void everyModulesServicesFilesListExactlyWhatItsModuleInfoProvides() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<Path> modules;
        try (Stream<Path> s = Files.list(root)) {
            modules = s.filter(p -> Files.isRegularFile(p.resolve("src/main/java/module-info.java"))).sorted().collect(Collectors.toList());
        }
        assertThat(modules).as("modules found under %s", root).hasSizeGreaterThan(8);

        List<String> drift = new ArrayList<>();
        for (Path module : modules) {
            Map<String, Set<String>> declared = provides(Files.readString(module.resolve("src/main/java/module-info.java")));
            Map<String, Set<String>> listed = servicesFiles(module.resolve("src/main/resources/META-INF/services"));
            if (!declared.equals(listed)) {
                drift.add(module.getFileName() + ": module-info provides " + declared + " but META-INF/services lists " + listed);
            }
        }
        assertThat(drift).as("modules whose META-INF/services drifted from module-info.java").isEmpty();
    }

    static Map<String, Set<String>> provides(String moduleInfo) {
        String code = moduleInfo.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
        Map<String, Set<String>> out = new TreeMap<>();
        Matcher m = PROVIDES.matcher(code);
        while (m.find()) {
            Set<String> impls = out.computeIfAbsent(m.group(1), k -> new TreeSet<>());
            for (String impl : m.group(2).split(",")) {
                impls.add(impl.trim());
            }
        }
        return out;
    }

    static Map<String, Set<String>> servicesFiles(Path dir) throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.collect(Collectors.toList())) {
                Set<String> impls = new TreeSet<>();
                for (String line : Files.readAllLines(f)) {
                    String l = line.replaceAll("#.*", "").trim();
                    if (!l.isEmpty()) {
                        impls.add(l);
                    }
                }
                out.put(f.getFileName().toString(), impls);
            }
        }
        return out;
    }

    @Test
    void parsesProvidesClausesTheWayModuleInfoWritesThem() {
        assertThat(provides("module a { // provides x.Y with z.W;\n provides dev.notify.api.spi.ChannelProvider\n"
                + "        with a.B,\n a.C; /* provides q.R with s.T; */ }"))
                .isEqualTo(Map.of("dev.notify.api.spi.ChannelProvider", Set.of("a.B", "a.C")));
    }
}
