/** Contract tests for Notify channels and stores. */
package dev.notify.testkit;
