//! Typed actions: a page's buttons say what they do in `data-action`, one listener on the page
//! handles them all, and [`actions!`](crate::actions) makes the enum whose values are the only names
//! a button can carry and the listener can read back.

/// An enum of a page's actions, each with its `data-action` name: the enum renders as its name
/// (`button data-action=(Action::Save)`) and reads back from the button a click landed on
/// (`Action::of`). The enum's derives and attributes are the caller's; it must be `Copy`.
#[macro_export]
macro_rules! actions {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        $vis enum $name {
            $($variant),+
        }

        impl $name {
            /// Its `data-action` value.
            $vis fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// The action the `data-action` of `button` names, if it is one of these.
            $vis fn of(button: &$crate::web_sys::Element) -> Option<Self> {
                let name = button.get_attribute("data-action")?;
                [$(Self::$variant),+].into_iter().find(|action| action.name() == name)
            }
        }

        impl $crate::maud::Render for $name {
            fn render_to(&self, buffer: &mut String) {
                buffer.push_str(self.name());
            }
        }
    };
}
