/** The listeners' plumbing: composing them, shielding statements from their exceptions. */
package dev.tusk.internal.observe;
