//! The JIT: one Cranelift module shared by all compiled functions (behind a
//! mutex), its settings, and the ISAs `inspect_asm` lowers for.

use crate::runtime;
use cranelift_codegen::settings::Configurable;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use std::sync::{Arc, Mutex};

pub struct Jit {
    pub module: JITModule,
    pub fctx: FunctionBuilderContext,
    pub ctx: cranelift_codegen::Context,
    pub counter: u64,
}

// SAFETY: the JIT is only used under the `JIT` mutex (and with the GIL held).
unsafe impl Send for Jit {}

static JIT: Mutex<Option<Jit>> = Mutex::new(None);

/// The Cranelift settings of all compiled code.
pub fn jit_flags() -> cranelift_codegen::settings::Flags {
    let mut flags = cranelift_codegen::settings::builder();
    flags.set("opt_level", "speed").unwrap();
    flags.set("use_colocated_libcalls", "false").unwrap();
    flags.set("is_pic", "false").unwrap();
    cranelift_codegen::settings::Flags::new(flags)
}

pub fn with_jit<R>(f: impl FnOnce(&mut Jit) -> R) -> R {
    let mut guard = JIT.lock().unwrap_or_else(|p| p.into_inner());
    if guard.is_none() {
        let isa = cranelift_native::builder()
            .expect("host machine is not supported by Cranelift")
            .finish(jit_flags())
            .expect("Cranelift ISA");
        let mut b = JITBuilder::with_isa(isa, cranelift_module::default_libcall_names());
        for (name, ptr) in runtime::symbols() {
            b.symbol(name, ptr);
        }
        *guard = Some(Jit {
            module: JITModule::new(b),
            fctx: FunctionBuilderContext::new(),
            ctx: cranelift_codegen::Context::new(),
            counter: 0,
        });
    }
    f(guard.as_mut().unwrap())
}

/// A compiled function: (argument slots, result slots, context, its depth of
/// compiled frames) -> status.
pub type EntryFn = unsafe extern "C" fn(*const u64, *mut u64, *mut runtime::Ctx, u32) -> i32;

/// A Cranelift ISA for `target` ("aarch64" or "x86_64"), with the JIT's
/// settings and the baseline features of that architecture: what compiled code
/// becomes on another machine (for `inspect_asm(target=...)`). The error says
/// which targets there are.
pub fn cross_isa(target: &str) -> Result<Arc<dyn cranelift_codegen::isa::TargetIsa>, String> {
    let triple = match target {
        "aarch64" | "arm64" => "aarch64-unknown-linux-gnu",
        "x86_64" | "x86-64" => "x86_64-unknown-linux-gnu",
        other => {
            return Err(format!(
                "inspect_asm(target={other:?}): the targets are 'aarch64' and 'x86_64'"
            ))
        }
    };
    let builder = cranelift_codegen::isa::lookup_by_name(triple)
        .map_err(|e| format!("no Cranelift backend for {triple}: {e}"))?;
    builder
        .finish(jit_flags())
        .map_err(|e| format!("Cranelift ISA for {triple}: {e}"))
}
