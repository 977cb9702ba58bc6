package dev.notify.channel.webhook.internal;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressPolicyTest {

    private static final AddressPolicy STRICT = new AddressPolicy(false, List.of(), InetAddress::getAllByName);
    private static final AddressPolicy LOCAL = new AddressPolicy(true, List.of(), InetAddress::getAllByName);

    private static void refused(AddressPolicy policy, String url, String why) {
        assertThatThrownBy(() -> policy.check(AddressPolicy.checkForm(url)))
                .as(url).isInstanceOf(AddressPolicy.RefusedException.class).hasMessageContaining(why);
    }

    @ParameterizedTest(name = "{0} is refused")
    @ValueSource(strings = {"http://127.0.0.1/hook", "http://127.8.9.10/", "http://10.1.2.3/", "http://172.16.0.1/",
            "http://172.31.255.255/", "http://192.168.1.1/", "http://100.64.0.1/", "http://0.0.0.0/", "http://224.0.0.1/",
            "http://255.255.255.255/", "http://[::1]/", "http://[::]/", "http://[fe80::1]/", "http://[fc00::1]/",
            "http://[fd12:3456::1]/", "http://[ff02::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
            "http://[64:ff9b::a00:1]/", "http://[64:ff9b::7f00:1]/", "http://[2002:c0a8:0101::1]/", "http://localhost:8080/hook"})
    void refusesNonPublicAddresses(String url) {
        refused(STRICT, url, "");
    }

    @Test
    @DisplayName("localhost is refused because it resolves to loopback, and the message names the address")
    void refusesAHostnameResolvingToLoopback() {
        refused(STRICT, "http://localhost/hook", "resolves to 127.0.0.1");
    }

    @ParameterizedTest(name = "{0} is refused as an ambiguous numeric spelling")
    @ValueSource(strings = {"http://2130706433/", "http://0177.0.0.1/", "http://0x7f.0.0.1/", "http://0x7f000001/",
            "http://127.1/", "http://017700000001/", "http://3232235777/"})
    void refusesNonCanonicalNumericHosts(String url) {
        assertThatThrownBy(() -> AddressPolicy.checkForm(url)).isInstanceOf(AddressPolicy.RefusedException.class)
                .hasMessageContaining("non-canonical");
    }

    @Test
    @DisplayName("the message says what a C resolver would make of a numeric spelling")
    void explainsNumericSpellings() {
        assertThatThrownBy(() -> AddressPolicy.checkForm("http://2130706433/")).hasMessageContaining("127.0.0.1");
        assertThatThrownBy(() -> AddressPolicy.checkForm("http://0177.0.0.1/")).hasMessageContaining("127.0.0.1");
        assertThatThrownBy(() -> AddressPolicy.checkForm("http://0xa9.0xfe.0xa9.0xfe/")).hasMessageContaining("169.254.169.254");
    }

    @ParameterizedTest(name = "{0} is refused")
    @ValueSource(strings = {"ftp://example.com/", "file:///etc/passwd", "gopher://x/", "http:///nohost", "//example.com/",
            "http://user:pass@example.com/", "javascript:alert(1)", "http://exa mple.com/"})
    void refusesWrongForms(String url) {
        assertThatThrownBy(() -> AddressPolicy.checkForm(url)).isInstanceOf(AddressPolicy.RefusedException.class);
    }

    @Test
    @DisplayName("public addresses pass, as IPv4 and as IPv6")
    void allowsPublicAddresses() {
        assertThatCode(() -> STRICT.check(AddressPolicy.checkForm("https://93.184.215.14/hook"))).doesNotThrowAnyException();
        assertThatCode(() -> STRICT.check(AddressPolicy.checkForm("https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/"))).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("allow-private-networks lets loopback and private ranges through")
    void allowPrivateNetworks() {
        assertThatCode(() -> LOCAL.check(AddressPolicy.checkForm("http://127.0.0.1:9/hook"))).doesNotThrowAnyException();
        assertThatCode(() -> LOCAL.check(AddressPolicy.checkForm("http://[::1]:9/"))).doesNotThrowAnyException();
        assertThatCode(() -> LOCAL.check(AddressPolicy.checkForm("http://10.0.0.7/"))).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0} stays refused even with private networks allowed")
    @ValueSource(strings = {"http://169.254.169.254/latest/meta-data/", "http://169.254.1.1/", "http://[::ffff:169.254.169.254]/",
            "http://[64:ff9b::a9fe:a9fe]/", "http://[fd00:ec2::254]/"})
    void cloudMetadataStaysRefused(String url) {
        refused(LOCAL, url, "metadata");
        AddressPolicy cidrs = new AddressPolicy(false, List.of(Cidr.parse("169.254.0.0/16"), Cidr.parse("::/0")),
                InetAddress::getAllByName);
        refused(cidrs, url, "metadata");
    }

    @Test
    @DisplayName("an allow-list of CIDRs lets exactly those ranges through")
    void allowedCidrs() throws Exception {
        AddressPolicy p = new AddressPolicy(false, List.of(Cidr.parse("10.1.0.0/16")), InetAddress::getAllByName);
        assertThatCode(() -> p.check(AddressPolicy.checkForm("http://10.1.2.3/"))).doesNotThrowAnyException();
        refused(p, "http://10.2.0.1/", "10.0.0.0/8");
    }

    @Test
    @DisplayName("every address a name resolves to is checked: one private address refuses the host")
    void checksEveryResolvedAddress() {
        Map<String, InetAddress[]> dns = Map.of("mixed.example", new InetAddress[] {
                address("93.184.215.14"), address("10.0.0.1")});
        AddressPolicy p = new AddressPolicy(false, List.of(), h -> dns.get(h));
        refused(p, "https://mixed.example/hook", "10.0.0.1");
    }

    @Test
    @DisplayName("a host that stops resolving is refused with a clear message")
    void unresolvable() {
        AddressPolicy p = new AddressPolicy(false, List.of(), h -> {
            throw new java.net.UnknownHostException(h);
        });
        refused(p, "https://gone.example/hook", "does not resolve");
    }

    @Test
    @DisplayName("inet_aton reads decimal, octal and hex parts like C does")
    void inetAton() {
        assertThat(AddressPolicy.inetAton("2130706433")).isEqualTo(0x7f000001L);
        assertThat(AddressPolicy.inetAton("0177.0.0.1")).isEqualTo(0x7f000001L);
        assertThat(AddressPolicy.inetAton("0x7f.1")).isEqualTo(0x7f000001L);
        assertThat(AddressPolicy.inetAton("127.0.1")).isEqualTo(0x7f000001L);
        assertThat(AddressPolicy.inetAton("256.0.0.1")).isEqualTo(-1);
    }

    @Test
    @DisplayName("CIDR parsing and containment")
    void cidr() throws Exception {
        Cidr c = Cidr.parse("100.64.0.0/10");
        assertThat(c.contains(InetAddress.getByName("100.127.255.255").getAddress())).isTrue();
        assertThat(c.contains(InetAddress.getByName("100.128.0.0").getAddress())).isFalse();
        assertThatThrownBy(() -> Cidr.parse("example.com/8")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThat(URI.create("http://[::1]/").getHost()).isEqualTo("[::1]");
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
