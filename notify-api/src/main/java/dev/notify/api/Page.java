package dev.notify.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a listing, with an opaque cursor to the next page.
 *
 * @param items the items of this page
 * @param nextCursor the cursor of the next page; empty on the last page
 * @param <T> the item type
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record Page<T>(List<T> items, Optional<String> nextCursor) {

    /** Copies the items. */
    public Page {
        items = List.copyOf(items);
        Objects.requireNonNull(nextCursor, "nextCursor");
    }
}
