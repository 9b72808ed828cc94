const organisation = (session) => (session && session.tenant ? session.tenant.id + " " + session.tenant.role : "");

export function define_element(tag, props, mount) {
  if (customElements.get(tag)) return;
  class MicroFrontend extends HTMLElement {
    constructor() {
      super();
      this._values = {};
      this._handle = null;
    }
    connectedCallback() {
      for (const name of props) {
        if (Object.prototype.hasOwnProperty.call(this, name)) {
          const value = this[name];
          delete this[name];
          this._values[name] = value;
        }
      }
      if (this._handle) return;
      this._handle = mount(this, this._values);
    }
    disconnectedCallback() {
      const handle = this._handle;
      this._handle = null;
      if (handle) handle.unmount();
    }
  }
  for (const name of props) {
    Object.defineProperty(MicroFrontend.prototype, name, {
      get() { return this._values[name]; },
      set(value) {
        const before = organisation(this._values.session);
        this._values[name] = value;
        if (!this._handle) return;
        if (organisation(this._values.session) === before) {
          this._handle.set(name, value);
        } else {
          this._handle.unmount();
          this._handle = mount(this, this._values);
        }
      },
    });
  }
  customElements.define(tag, MicroFrontend);
}
