# axpy (float, array(float64, 1d, C), array(float64, 1d, C), array(float64, 1d, C))
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 32 }
  subq $0x20, %rsp
  movq %rbx, (%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
  movq %r12, 8(%rsp)
  unwind SaveReg { clobber_offset: 8, reg: p12i }
  movq %r14, 0x10(%rsp)
  unwind SaveReg { clobber_offset: 16, reg: p14i }
block0:
  vmovsd (%rdi), %xmm2
  movq 8(%rdi), %r8
  movq 0x10(%rdi), %r8
  movq 0x18(%rdi), %r8
  movq 0x20(%rdi), %r8
  movq 0x28(%rdi), %r8
  movq 0x30(%rdi), %r8
  movq 0x38(%rdi), %r10
  movq 0x40(%rdi), %r8
  movq 0x48(%rdi), %r8
  movq 0x50(%rdi), %r8
  movq 0x58(%rdi), %r9
  movq 0x60(%rdi), %r8
  jmp     label1
block1:
  movl 8(%rdx), %r8d
  cmpl %r8d, %ecx
  jnbe    label25; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq 0x18(%rdi), %r8
  movq %r8, %rax
  addq $0x0, %rax
  seto %r11b
  cmpq %r10, %rax
  setg %r10b
  orl %r11d, %r10d
  testb %r10b, %r10b
  jnz     label5; j label6
block6:
  movq %r8, %r10
  addq $0x0, %r10
  seto %al
  cmpq %r9, %r10
  setg %r11b
  orl %eax, %r11d
  testb %r11b, %r11b
  jnz     label7; j label8
block8:
  movq 0x48(%rdi), %rcx
  movq 0x58(%rdi), %rax
  leaq (%rcx, %rax, 8), %rax
  movq 8(%rdi), %r9
  cmpq %r9, %rax
  setbe %r11b
  leaq (%r9, %r8, 8), %r10
  cmpq %rcx, %r10
  setbe %r10b
  orl %r10d, %r11d
  movq 0x28(%rdi), %r10
  cmpq %r10, %rax
  setbe %r14b
  movq 0x38(%rdi), %rax
  leaq (%r10, %rax, 8), %rax
  cmpq %rcx, %rax
  setbe %al
  orl %eax, %r14d
  uninit  %rax
  xorq %rax, %rax
  leaq -4(%r8), %r12
  movabsq $<address>, %rbx
  cmpq (%rip), %r8
  cmovgeq %r12, %rbx
  vmovsd (%rdi), %xmm0
  vpshufd $0x44, %xmm0, %xmm1
  testb %r11b, %r14b
  jnz     label9; j label10
block9:
  jmp     label11
block10:
  jmp     label16
block11:
  cmpq %rbx, %rax
  jnle    label13; j label12
block12:
  vmulpd (%r9, %rax, 8), %xmm1, %xmm2
  vaddpd (%r10, %rax, 8), %xmm2, %xmm2
  vmovupd %xmm2, (%rcx, %rax, 8)
  leaq 2(%rax), %r11
  vmulpd (%r9, %r11, 8), %xmm1, %xmm2
  vaddpd (%r10, %r11, 8), %xmm2, %xmm2
  vmovupd %xmm2, (%rcx, %r11, 8)
  leaq 4(%rax), %rax
  jmp     label11
block13:
  cmpq %r8, %rax
  setl %r11b
  cmpq (%rip), %r8
  setge %bl
  andl %ebx, %r11d
  leaq -2(%r8), %rbx
  notq %rbx
  shrq $0x3f, %rbx
  testb %r11b, %bl
  jnz     label15; j label14
block14:
  jmp     label16
block15:
  leaq -2(%r8), %r11
  subq %rax, %r11
  uninit  %rbx
  xorq %rbx, %rbx
  cmpq %r11, %rbx
  movq %r11, %r12
  cmovlq %rbx, %r12
  leaq (%rax, %r12), %rbx
  vmulpd (%r9, %rbx, 8), %xmm1, %xmm2
  vaddpd (%r10, %rbx, 8), %xmm2, %xmm2
  vmovupd %xmm2, (%rcx, %rbx, 8)
  movl $0x2, %ebx
  cmpq %r11, %rbx
  cmovlq %rbx, %r11
  leaq (%rax, %r11), %rax
  vmulpd (%r9, %rax, 8), %xmm1, %xmm1
  vaddpd (%r10, %rax, 8), %xmm1, %xmm1
  vmovupd %xmm1, (%rcx, %rax, 8)
  movq %r8, %rax
  jmp     label16
block16:
  jmp     label17
block17:
  cmpq %r8, %rax
  jnl     label22; j label18
block18:
  vmulsd (%r9, %rax, 8), %xmm0, %xmm1
  vaddsd (%r10, %rax, 8), %xmm1, %xmm1
  vmovsd %xmm1, (%rcx, %rax, 8)
  jmp     label19
block19:
  movabsq $<address>, %r11
  movl (%r11), %r11d
  leaq 1(%rax), %rax
  testl %r11d, %r11d
  jnz     label21; j label20
block20:
  jmp     label17
block22:
  jmp     label23
block23:
  movq 0x48(%rdi), %r8
  movq 0x50(%rdi), %r9
  movq 0x58(%rdi), %r10
  movq 0x60(%rdi), %rdi
  movq %r8, (%rsi)
  movq %r9, 8(%rsi)
  movq %r10, 0x10(%rsi)
  movq %rdi, 0x18(%rsi)
  uninit  %rax
  xorl %eax, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r14
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block5:
  jmp     label24
block7:
  jmp     label24
block21:
  vmovsd (%rdi), %xmm0
  vmovsd %xmm0, 0x10(%rdx)
  movq 8(%rdi), %rcx
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r9
  movq 0x20(%rdi), %r10
  movq %rcx, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r9, 0x28(%rdx)
  movq %r10, 0x30(%rdx)
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %r9
  movq 0x40(%rdi), %r10
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %r9, 0x48(%rdx)
  movq %r10, 0x50(%rdx)
  movq 0x48(%rdi), %rcx
  movq 0x50(%rdi), %rsi
  movq 0x58(%rdi), %r9
  movq 0x60(%rdi), %rdi
  movq %rcx, 0x58(%rdx)
  movq %rsi, 0x60(%rdx)
  movq %r9, 0x68(%rdx)
  movq %rdi, 0x70(%rdx)
  movq %r8, 0x78(%rdx)
  movq $0x1, 0x80(%rdx)
  movq %rax, 0x88(%rdx)
  movl $0x0, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r14
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block24:
  vmovsd %xmm2, 0x10(%rdx)
  movq 8(%rdi), %r9
  movq 0x10(%rdi), %r10
  movq 0x18(%rdi), %r11
  movq 0x20(%rdi), %rax
  movq %r9, 0x18(%rdx)
  movq %r10, 0x20(%rdx)
  movq %r11, 0x28(%rdx)
  movq %rax, 0x30(%rdx)
  movq 0x28(%rdi), %rax
  movq 0x30(%rdi), %rcx
  movq 0x38(%rdi), %rsi
  movq 0x40(%rdi), %r9
  movq %rax, 0x38(%rdx)
  movq %rcx, 0x40(%rdx)
  movq %rsi, 0x48(%rdx)
  movq %r9, 0x50(%rdx)
  movq 0x48(%rdi), %rax
  movq 0x50(%rdi), %rcx
  movq 0x58(%rdi), %rsi
  movq 0x60(%rdi), %rdi
  movq %rax, 0x58(%rdx)
  movq %rcx, 0x60(%rdx)
  movq %rsi, 0x68(%rdx)
  movq %rdi, 0x70(%rdx)
  movq %r8, 0x78(%rdx)
  movq $0x1, 0x80(%rdx)
  movq $0x0, 0x88(%rdx)
  movl $0x1, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r14
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block25:
  vmovsd %xmm2, 0x10(%rdx)
  movq 8(%rdi), %rax
  movq 0x10(%rdi), %rcx
  movq 0x18(%rdi), %rsi
  movq 0x20(%rdi), %r8
  movq %rax, 0x18(%rdx)
  movq %rcx, 0x20(%rdx)
  movq %rsi, 0x28(%rdx)
  movq %r8, 0x30(%rdx)
  movq 0x28(%rdi), %rax
  movq 0x30(%rdi), %rcx
  movq 0x38(%rdi), %rsi
  movq 0x40(%rdi), %r8
  movq %rax, 0x38(%rdx)
  movq %rcx, 0x40(%rdx)
  movq %rsi, 0x48(%rdx)
  movq %r8, 0x50(%rdx)
  movq 0x48(%rdi), %rax
  movq 0x50(%rdi), %rcx
  movq 0x58(%rdi), %rsi
  movq 0x60(%rdi), %rdi
  movq %rax, 0x58(%rdx)
  movq %rcx, 0x60(%rdx)
  movq %rsi, 0x68(%rdx)
  movq %rdi, 0x70(%rdx)
  movl $0x3, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r14
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
