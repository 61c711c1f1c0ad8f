//! Kitchens: the platform's many kitchens, each with its own menu, hours, delivery rules and
//! staff (contract v3, "Kitchens"). So far the model; the store, service and HTTP edge follow.

pub mod model;
