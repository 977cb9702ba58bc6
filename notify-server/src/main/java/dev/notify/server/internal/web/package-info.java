/**
 * The browser pages, their static files and the development token endpoint; not exported.
 * They call the server's HTTP API as any client would.
 */
package dev.notify.server.internal.web;
