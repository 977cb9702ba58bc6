/** The in-memory {@link dev.notify.api.spi.NotificationStore}, for library users and tests. */
package dev.notify.core.memory;
