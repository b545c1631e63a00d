import { render } from "preact";
import { currentLanguage } from "./i18n";
import { App } from "./ui/App";
import "./styles.css";

document.documentElement.lang = currentLanguage();
const root = document.getElementById("app");
if (root) render(<App />, root);
