// An error boundary around one message of the reader. Without it, an exception while rendering a
// message (a malformed part the sanitizer or a formatter did not expect) unmounts the whole app,
// and every message opened afterwards stays blank until the page is reloaded. With it, that one
// message says it cannot be shown, and the error is logged for the console.
import { Component, type ComponentChildren } from "preact";
import { t } from "../i18n";

export class MessageBoundary extends Component<{ children: ComponentChildren }, { failed: boolean }> {
  override state = { failed: false };

  static override getDerivedStateFromError() {
    return { failed: true };
  }

  override componentDidCatch(error: unknown) {
    console.error("message rendering failed", error);
  }

  override render() {
    if (this.state.failed) return <p class="render-failed">{t("reader.renderFailed")}</p>;
    return this.props.children;
  }
}
