/**
 * Contract tests for Notify channels ({@link dev.notify.testkit.ChannelContract}) and stores ({@link dev.notify.testkit.NotificationStoreContract}, one file per store area), with the doubles and helpers plugin authors test with.
 * It may call {@code notify-api}, JUnit and AssertJ (and JDBC for {@link dev.notify.testkit.PostgresServer}), never {@code notify-core}.
 */
package dev.notify.testkit;
