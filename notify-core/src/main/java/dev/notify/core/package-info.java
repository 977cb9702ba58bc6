/** The Notify engine. Start with {@link dev.notify.core.NotificationService}. */
package dev.notify.core;
