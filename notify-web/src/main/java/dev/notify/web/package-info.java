/**
 * HTTP helpers shared by the server and the HTTP channels (problem details); they may call
 * notify-api and the Servlet API, nothing else.
 */
package dev.notify.web;
