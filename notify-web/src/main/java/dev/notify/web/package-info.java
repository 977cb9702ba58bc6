/**
 * HTTP helpers shared by the server and the HTTP channels (problem details, the token-bucket
 * rate limiter behind 429 and the RateLimit headers, draining a body refused with 413); they may call notify-api and the Servlet API,
 * nothing else, and the rate limiter not even that, so the webhook channel uses it without HTTP.
 */
package dev.notify.web;
