/**
 * The system channel's provider and the {@code CommandRunner} seam a host or test may replace;
 * the implementation lives in {@code internal}.
 */
package dev.notify.channel.system;
