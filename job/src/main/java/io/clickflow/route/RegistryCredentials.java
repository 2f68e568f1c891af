package io.clickflow.route;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * A user and password for a schema registry's HTTP basic auth. Shipped with the job inside the registry's factory;
 * nothing prints the password: {@link #toString()} names the user only, and URLs are shown without their
 * {@code user:password@}.
 */
public final class RegistryCredentials implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern USER_INFO = Pattern.compile("(?<=//)[^/?#]*@");

    private final String user;
    private final String password;
    /** Where they were given (an option, the URL, the environment): the option the refusal at start names. */
    private final String givenBy;

    RegistryCredentials(String user, String password, String givenBy) {
        this.user = user;
        this.password = password;
        this.givenBy = givenBy;
    }

    public String user() {
        return user;
    }

    /** The option (or the environment variable) the credentials came from, for a one-line refusal. */
    public String givenBy() {
        return givenBy;
    }

    /** The value of an {@code Authorization} header. */
    String header() {
        return "Basic "
                + Base64.getEncoder()
                        .encodeToString(
                                (user + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8));
    }

    /** The {@code user:password@} of a URL's authority, or null when it has none. */
    static RegistryCredentials fromUrl(String url) {
        String info;
        try {
            info = new URI(url).getUserInfo();
        } catch (URISyntaxException e) {
            return null;
        }
        if (info == null) {
            return null;
        }
        int colon = info.indexOf(':');
        return colon < 0
                ? new RegistryCredentials(info, null, "--schema-registry")
                : new RegistryCredentials(info.substring(0, colon), info.substring(colon + 1), "--schema-registry");
    }

    /** {@code url} without a {@code user:password@}: what messages show. Works on text that is not a valid URI too. */
    public static String strip(String url) {
        return url == null ? null : USER_INFO.matcher(url).replaceFirst("");
    }

    boolean hasPassword() {
        return password != null;
    }

    @Override
    public String toString() {
        return "user " + user;
    }
}
