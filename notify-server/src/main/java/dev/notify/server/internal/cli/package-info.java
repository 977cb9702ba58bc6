/**
 * The command line ({@code serve}, {@code publish}, {@code watch}) built with picocli; not exported.
 * Commands start the server or talk to one over HTTP, never to the engine's internals.
 */
package dev.notify.server.internal.cli;
