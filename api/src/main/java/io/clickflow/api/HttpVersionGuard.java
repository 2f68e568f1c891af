package io.clickflow.api;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Turns a request of an HTTP version other than 1.0 and 1.1 (e.g. {@code GET / HTTP/2.0}) into an undecodable one,
 * so the server's invalid-request handler answers it with 505 and a reason; Vert.x itself would answer a bare 501
 * without calling any handler. Sits in each connection's Netty pipeline between the HTTP decoder and Vert.x.
 */
@ChannelHandler.Sharable
final class HttpVersionGuard extends ChannelInboundHandlerAdapter {
    private static final HttpVersionGuard INSTANCE = new HttpVersionGuard();

    /** Vert.x's name for its own handler, the last of an HTTP/1.x connection's pipeline. */
    private static final String VERTX_HANDLER = "handler";

    /** The decoder failure such a request carries; its message is the version asked for. */
    static final class UnsupportedVersion extends Exception {
        private static final long serialVersionUID = 1L;

        UnsupportedVersion(String version) {
            super(version, null, false, false);
        }
    }

    private HttpVersionGuard() {}

    /**
     * Installs the guard on a new connection ({@code HttpServer.connectionHandler}), before any request is read.
     * Vert.x offers no public hook into the pipeline: this uses its connection's Netty channel, and does nothing
     * where that is not there (the request then gets Vert.x's own 501).
     */
    static void install(HttpConnection connection) {
        if (connection instanceof ConnectionBase c) {
            ChannelPipeline pipeline = c.channel().pipeline();
            if (pipeline.get(VERTX_HANDLER) != null && pipeline.get(HttpVersionGuard.class) == null) {
                pipeline.addBefore(VERTX_HANDLER, "clickflow-http-version", INSTANCE);
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()) {
            HttpVersion version = request.protocolVersion();
            if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
                // Answered as HTTP/1.1, the newest version this server speaks (RFC 9110, 15.6.6).
                request.setProtocolVersion(HttpVersion.HTTP_1_1);
                request.setDecoderResult(DecoderResult.failure(new UnsupportedVersion(version.text())));
            }
        }
        ctx.fireChannelRead(msg);
    }
}
