/**
 * An example third-party channel: appends each delivery to a file, built outside the reactor against notify-api alone.
 * It may call notify-api and the JDK only; its provider is found by ServiceLoader.
 */
package com.example.notify.file;
